// The modeler's language: the modules that make bpmn-js, diagram-js and the properties panel speak the
// page's language (api/assets/modeler.js adds them to the Modeler).
//
// On a Chinese page diagram-js's translate service is replaced by one that looks the English template up in
// ZH (modeler_texts.js) before filling in its {placeholders}; a string without a translation stays in
// English. An English page keeps the libraries' own service, and every hook below then changes nothing.
//
// The translate service reaches what bpmn-js, diagram-js and bpmn-js-properties-panel write (the palette,
// the context pad, the popup menus, the panel's header, groups and fields). @bpmn-io/properties-panel's own
// components (groups, lists, list items, text areas) take it as their documented `translate` prop, which
// bpmn-js-properties-panel mostly leaves out: they would say "Toggle section", "Create new list item",
// "Delete item", "Open pop-up editor", "Opened in editor". So PanelTranslation, below:
// - a properties provider running after all others gives every group the page's translate service, and
//   wraps each entry's component so that the library components it renders without one (a text area, a
//   list such as a listener's field injections, that list's items) get it too;
// - the same provider names a listener as the Zeebe provider does, translate('Create: {type}', ...):
//   bpmn-js-properties-panel builds "Create: Java class" with getListenerLabel and no translate;
// - the pop-up editor is described on the event bus before it is drawn: its title gets the element type in
//   words, and its component is wrapped so that its hard-coded "Save and close" tooltip is translated;
// - only a list that bpmn-js-properties-panel builds by calling ListEntry as a plain function (an input's or
//   output's List or Map) has its words fixed before any prop or hook could reach them: for that, an
//   observer of the panel's DOM translates exactly the lists' known strings.
// (modeler_language.css keeps the empty list's "Create" button under the pointer with the shorter Chinese
// label.)

import { CollapsibleEntry, ListEntry } from '@bpmn-io/properties-panel';
import { cloneElement } from '@bpmn-io/properties-panel/preact';

import { ZH } from './modeler_texts.js';
import './modeler_language.css';

// Lower than any provider's (the Camunda 7 one registers at 500, the BPMN one at 1000): the groups this one
// sees are the finished ones.
const AFTER_ALL_PROVIDERS = 1;
// Before the pop-up renderer (default priority 1000) draws what the event describes.
const BEFORE_POPUP_RENDERER = 1500;

const LISTENER_GROUPS = ['CamundaPlatform__ExecutionListener', 'CamundaPlatform__TaskListener'];

function translateModule(texts) {
  const translate = (template, replacements = {}) => (texts[template] || template)
    .replace(/{([^}]+)}/g, (_, key) => (key in replacements ? String(replacements[key]) : `{${key}}`));
  return { translate: ['value', translate] };
}

// Library components an entry may render with no translate prop at all; others (the text area inside
// TextAreaEntry) are recognised by a translate prop passed on as undefined.
const TAKE_TRANSLATE = new Set([ListEntry, CollapsibleEntry]);

// `vnode`, what an entry or pop-up component rendered, with the page's translate handed to the library
// components in it that got none, and to the components they will render from the props given here (a
// list's item component, a collapsible entry's entries). Unchanged nodes are returned as they are.
function withTranslate(vnode, translate) {
  if (Array.isArray(vnode)) {
    const children = vnode.map((child) => withTranslate(child, translate));
    return children.some((child, i) => child !== vnode[i]) ? children : vnode;
  }
  if (!vnode || typeof vnode !== 'object' || !vnode.props) {
    return vnode;
  }
  const { props, type } = vnode;
  const changes = {};
  if (typeof type === 'function' && !props.translate && (TAKE_TRANSLATE.has(type) || 'translate' in props)) {
    changes.translate = translate;
  }
  if (type === ListEntry && typeof props.component === 'function') {
    changes.component = translated(props.component, translate);
  }
  if (type === CollapsibleEntry) {
    if (Array.isArray(props.entries)) {
      changes.entries = props.entries.map((entry) => translatedEntry(entry, translate));
    }
    if (props.label === '<empty>') {  // a field injection without a name is labelled with the placeholder
      changes.label = translate('<empty>');
    }
  }
  if (typeof props.closeButtonTooltip === 'string') {  // the pop-up's "Save and close"
    changes.closeButtonTooltip = translate(props.closeButtonTooltip);
  }
  if (props.children !== undefined) {
    const children = withTranslate(props.children, translate);
    if (children !== props.children) {
      changes.children = children;
    }
  }
  return Object.keys(changes).length ? cloneElement(vnode, changes) : vnode;
}

// One wrapper per component and translate function: a new one on every render would remount the entry
// (losing its focus and input).
const wrappers = new WeakMap();

function translated(Component, translate) {
  if (Component.prototype && Component.prototype.render) {
    return Component;  // a class component cannot be called as a function; none of the panel's entries is one
  }
  let byTranslate = wrappers.get(Component);
  if (!byTranslate) {
    wrappers.set(Component, byTranslate = new WeakMap());
  }
  let wrapper = byTranslate.get(translate);
  if (!wrapper) {
    // Called as a function, as bpmn-js-properties-panel calls TextAreaEntry: its hooks are the wrapper's.
    wrapper = (props) => withTranslate(Component(props), translate);
    byTranslate.set(translate, wrapper);
  }
  return wrapper;
}

function translatedEntry(entry, translate) {
  return typeof entry.component === 'function'
    ? { ...entry, component: translated(entry.component, translate) } : entry;
}

// "Create: Java class" (the event's and the implementation's labels) as translate('Create: {type}',
// { type: translate('Java class') }): the event's label alone, "Create", is also the lists' button.
function listenerLabel(label, translate) {
  const parts = /^([^:]+): (.+)$/.exec(label || '');
  return parts ? translate(`${parts[1]}: {type}`, { type: translate(parts[2]) }) : label;
}

function translatedGroup(group, translate) {
  const groupTranslate = group.translate || translate;  // a group that brings its own keeps it
  const listeners = LISTENER_GROUPS.includes(group.id);
  return {
    ...group,
    translate: groupTranslate,
    ...(group.entries && { entries: group.entries.map((entry) => translatedEntry(entry, groupTranslate)) }),
    ...(group.items && {
      items: group.items.map((item) => ({
        ...item,
        ...(listeners && { label: listenerLabel(item.label, groupTranslate) }),
        ...(item.entries && { entries: item.entries.map((entry) => translatedEntry(entry, groupTranslate)) })
      }))
    })
  };
}

// The pop-up's title is "<element type> / <field label>", the type as the model spells it
// ("bpmn:UserTask"): in words ("User Task", as the panel's header names it) when they have a translation.
function popupTitle({ element, label, title }, translate) {
  if (!element || typeof element.type !== 'string') {
    return title;
  }
  const words = element.type.replace(/^bpmn:/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
  const name = translate(words);
  return name === words ? title : `${name} / ${label}`;
}

// Where a list built by a plain call shows the library's own English (the badge's count is filled in): its
// buttons' titles, the empty list's "Create" label, and the "<empty>" an unnamed value is read out as.
const LIST_WORDS = [
  ['.bio-properties-panel-add-entry', 'title'],
  ['.bio-properties-panel-add-entry-label', null],  // its text
  ['.bio-properties-panel-list-badge', 'title'],
  ['.bio-properties-panel-arrow', 'title'],
  ['.bio-properties-panel-remove-entry', 'title'],
  ['.bio-properties-panel-simple .bio-properties-panel-input', 'aria-label']
];
const LIST_STRINGS = new Set(['Create new list item', 'Create', 'Toggle list item', 'Delete item', '<empty>']);
const BADGE = /^List contains (\d+) items?$/;

function listString(text, translate) {
  if (LIST_STRINGS.has(text)) {
    return translate(text);
  }
  const badge = BADGE.exec(text);
  return badge ? translate(text.replace(badge[1], '{numOfItems}'), { numOfItems: badge[1] }) : text;
}

function translateListWords(root, translate) {
  for (const [selector, attribute] of LIST_WORDS) {
    for (const node of root.querySelectorAll(`.bio-properties-panel-list-entry ${selector}`)) {
      const text = attribute ? node.getAttribute(attribute) : node.textContent;
      const translation = text && listString(text, translate);
      if (translation === text) {
        continue;
      }
      if (attribute) {
        node.setAttribute(attribute, translation);
      } else {
        node.textContent = translation;
      }
    }
  }
}

function PanelTranslation(propertiesPanel, eventBus, config, translate) {
  propertiesPanel.registerProvider(AFTER_ALL_PROVIDERS, {
    getGroups: () => (groups) => groups.map((group) => translatedGroup(group, translate))
  });

  eventBus.on('propertiesPanelPopup.open', BEFORE_POPUP_RENDERER, (event) => {
    event.config = {
      ...event.config,
      title: popupTitle(event.config, translate),
      component: translated(event.config.component, translate)
    };
  });

  const parent = config && config.parent;
  const root = typeof parent === 'string' ? document.querySelector(parent) : parent;
  if (root && translate('Create new list item') !== 'Create new list item') {  // words to translate them to
    // Preact writes a changed title or text in English again (a badge's count, the label of a list that
    // became empty): each change is translated once more; a translated string matches nothing, so no loop.
    new MutationObserver(() => translateListWords(root, translate)).observe(root, {
      subtree: true, childList: true, characterData: true, attributeFilter: ['title', 'aria-label']
    });
  }
}
PanelTranslation.$inject = ['propertiesPanel', 'eventBus', 'config.propertiesPanel', 'translate'];

const PanelTranslationModule = { __init__: ['panelTranslation'], panelTranslation: ['type', PanelTranslation] };

// The modules for a page in `lang` (<html lang>): after the properties panel's modules, which the panel
// translation needs.
export function languageModules(lang) {
  const chinese = lang.startsWith('zh');
  return [PanelTranslationModule, ...(chinese ? [translateModule(ZH)] : [])];
}
