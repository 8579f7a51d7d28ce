// The modeler's language: the modules that make bpmn-js, diagram-js and the properties panel speak the
// page's language (api/assets/modeler.js adds them to the Modeler).
//
// On a Chinese page diagram-js's translate service is replaced by one that looks the English template up in
// ZH (modeler_texts.js) before filling in its {placeholders}; a string without a translation stays in
// English. An English page keeps the libraries' own service.
//
// The translate service reaches what bpmn-js, diagram-js and bpmn-js-properties-panel write (the palette,
// the context pad, the popup menus, the panel's header, groups and fields), but not the words of
// @bpmn-io/properties-panel's own group components: a group's "Toggle section" and "Section contains
// edits", a list's "Create", "Create new list item" and "List contains {numOfItems} items", a list item's
// "Delete item". Those are translated with the function a group definition carries (its documented
// `translate` property), and bpmn-js-properties-panel hands its groups none; so a properties provider that
// runs after all others gives every group the page's translate service. (modeler_language.css keeps the
// empty list's "Create" button under the pointer with the shorter Chinese label.)
//
// Still English, with no hook to reach them: a text field's pop-up editor button ("Open pop-up editor",
// "Opened in editor") and the pop-up's "Save and close", which bpmn-js-properties-panel's entries and
// @bpmn-io/properties-panel's pop-up render without any translate function.

import { ZH } from './modeler_texts.js';
import './modeler_language.css';

// Lower than any provider's (the Camunda 7 one registers at 500, the BPMN one at 1000): the groups this one
// sees are the finished ones.
const AFTER_ALL_PROVIDERS = 1;

function translateModule(texts) {
  const translate = (template, replacements = {}) => (texts[template] || template)
    .replace(/{([^}]+)}/g, (_, key) => (key in replacements ? String(replacements[key]) : `{${key}}`));
  return { translate: ['value', translate] };
}

// A group that brings its own translate function keeps it.
function GroupTranslation(propertiesPanel, translate) {
  propertiesPanel.registerProvider(AFTER_ALL_PROVIDERS, {
    getGroups: () => (groups) => groups.map((group) => ({ ...group, translate: group.translate || translate }))
  });
}
GroupTranslation.$inject = ['propertiesPanel', 'translate'];

const GroupTranslationModule = { __init__: ['groupTranslation'], groupTranslation: ['type', GroupTranslation] };

// The modules for a page in `lang` (<html lang>): after the properties panel's modules, which the group
// translation needs.
export function languageModules(lang) {
  const chinese = lang.startsWith('zh');
  return [GroupTranslationModule, ...(chinese ? [translateModule(ZH)] : [])];
}
