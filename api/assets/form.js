// The task form: form-js renders the deployed schema prefilled with the case data. Submitting posts
// the data to the server, which validates it (engine.forms) and, when a field is wrong, sends the page
// back with the errors; they are shown next to their fields here. What the clerk types is kept as a draft
// in the browser until the server takes it (drafts.js), on the task page and on the intake page alike.
import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';

import { readJson, withValues } from './common.js';
import { keepDraft } from './drafts.js';

// Data path (group paths + key) -> form-js field id, to place the server's errors.
function fieldIds(components, prefix = '', ids = {}) {
  for (const component of components || []) {
    if (component.key) {
      ids[prefix + component.key] = component.id;
    }
    if (component.components) {
      fieldIds(component.components, component.path ? `${prefix}${component.path}.` : prefix, ids);
    }
  }
  return ids;
}

// The server's rules where form-js's differ (api/pages/work.py form_js_texts). A phone number: form-js checks
// an international one (+86...); the server's rule (a mobile number or a landline with its area code) is
// checked instead. An identity number (idNumber, creditCode, unknown to form-js): its form is checked as it is
// typed, its check character by the server. A required text: form-js takes spaces alone as a value, the server
// does not; a pattern asking for one visible character says so as "required". Each is a pattern whose
// message is the server's text.
const VISIBLE = '\\S';
const TEXT_TYPES = new Set(['textfield', 'textarea']);

// A pattern of the form's own is said in its field's description (JY + 14 位数字), not as a regular
// expression: each such pattern is kept in ``described`` with its description (null: none), for the
// translator.
// form-js names a broken pattern by its text alone, so a pattern another field describes otherwise (or one
// of the server's rules uses) is wrapped in a group until its text is its field's own: the same rule,
// another key.
function withServerRules(components, rules, described = {}) {
  const { phone_pattern: phonePattern, formats } = rules;
  const reserved = new Set([phonePattern, VISIBLE, ...Object.values(formats || {})]);
  for (const component of components || []) {
    const validate = component.validate;
    const type = validate && validate.validationType;
    if (type === 'phone' || (formats && type in formats)) {
      delete validate.validationType;
      validate.pattern = type === 'phone' ? phonePattern : formats[type];
    } else if (validate && validate.required && !validate.pattern && TEXT_TYPES.has(component.type)) {
      validate.pattern = VISIBLE;
    } else if (validate && validate.pattern) {
      const description = component.description || null;  // none: form-js says the pattern itself
      let own = validate.pattern;
      while ((description !== null && reserved.has(own)) || (own in described && described[own] !== description)) {
        own = `(?:${own})`;
      }
      validate.pattern = own;
      described[own] = description;
    }
    withServerRules(component.components, rules, described);
  }
  return described;
}

// form-js's messages in the page's language and in the server's words.
function translator({ texts, phone_pattern: phonePattern, formats = {} }, described = {}) {
  const byPattern = { [phonePattern]: texts.phone, [VISIBLE]: texts['Field is required.'] };
  for (const [type, pattern] of Object.entries(formats)) {
    byPattern[pattern] = texts[type];
  }
  for (const [pattern, hint] of Object.entries(described)) {
    if (hint !== null) byPattern[pattern] = texts.pattern_hint.replace('{hint}', hint);
  }
  return (template, replacements = {}) => {
    const text = template.startsWith('Field must match pattern') && replacements.value in byPattern
      ? byPattern[replacements.value] : (texts[template] || template);
    return text.replace(/{([^}]+)}/g, (_, key) => (key in replacements ? String(replacements[key]) : `{${key}}`));
  };
}

// The server's errors beside their fields. form-js has no public call to show errors it did not find itself;
// its state holds them per field id. Its own checks of a field's first value (on mount) and of every change
// replace that field's errors, so a server error is put back while its field keeps the value the server
// refused, and dropped once the field is changed.
function keepServerErrors(form, schema, serverErrors) {
  const ids = fieldIds(schema.components);
  const pending = {};  // field id -> { path, value as refused, messages }
  const { data } = form._getState();
  for (const { field, message } of serverErrors) {
    const id = ids[field];
    if (id) {
      const entry = pending[id] || (pending[id] = { path: field.split('.'), messages: [] });
      entry.value = JSON.stringify(valueAt(data, entry.path));
      entry.messages.push(message);
    }
  }
  const restore = ({ data: current, errors }) => {
    let missing = false;
    const next = { ...errors };
    for (const [id, entry] of Object.entries(pending)) {
      if (JSON.stringify(valueAt(current, entry.path)) !== entry.value) {
        delete pending[id];  // changed: form-js's own checks speak for it now
      } else if (!(errors[id] && errors[id].length)) {
        next[id] = entry.messages;
        missing = true;
      }
    }
    if (missing) {
      form._setState({ errors: next });
    }
  };
  form.on('changed', restore);
  restore(form._getState());
}

// Two words form-js writes itself, past its translate service: a select's placeholder and a searchable
// select's search box. Each is said in the page's language as it appears. The text node form-js (preact)
// keeps is changed in place, so that it still updates the node when a value is chosen.
function localizeFixedWords(container, texts) {
  const fix = () => {
    for (const display of container.querySelectorAll('.fjs-select-placeholder')) {
      const text = display.firstChild;
      if (text && text.nodeType === Node.TEXT_NODE && text.data === 'Select' && texts.Select) {
        text.data = texts.Select;
      }
    }
    for (const input of container.querySelectorAll('input[placeholder="Search"]')) {
      if (texts.Search) {
        input.placeholder = texts.Search;
      }
    }
  };
  new MutationObserver(fix).observe(container, { subtree: true, childList: true, characterData: true });
  fix();
}

function valueAt(data, path) {
  return path.reduce((value, key) => (value == null ? undefined : value[key]), data);
}

// The data paths of the fields a clerk fills in, as a draft keeps them (drafts.js): a read-only or disabled
// field shows the case's data, which a draft must not put back over newer; a dynamic list is one value.
function draftPaths(components, prefix = [], paths = []) {
  for (const component of components || []) {
    if (component.readonly || component.disabled) {
      continue;
    }
    if (component.type === 'dynamiclist' && component.path) {
      paths.push([...prefix, ...component.path.split('.')]);
      continue;
    }
    if (component.key) {
      paths.push([...prefix, ...component.key.split('.')]);
    }
    if (component.components) {
      draftPaths(component.components, component.path ? [...prefix, ...component.path.split('.')] : prefix, paths);
    }
  }
  return paths;
}


async function show() {
  const container = document.getElementById('form-container');
  const htmlForm = document.getElementById('complete-form');
  if (!htmlForm) {
    return;
  }
  // An intake's draft may be the previous applicant's, left unsent: offered, not put in the form at once.
  const askFirst = (htmlForm.dataset.page || '').startsWith('intake/');
  if (!container) {  // a task without a form: the plain button completes it
    const draft = await keepDraft(htmlForm, { askFirst });  // the checklist's choices, the intake's fields
    htmlForm.addEventListener('submit', (event) => {
      if (!event.defaultPrevented) draft.sending();
    });
    htmlForm.dataset.ready = 'true';
    return;
  }
  const readOnly = htmlForm.dataset.readonly === 'true';
  const schema = readJson('form-schema');
  // Everything the page holds is read before the form draws: a text field may show case data as markup,
  // and an id in it must not stand in for the page's own elements.
  const prefilled = readJson('form-data') || {};
  const serverErrors = readJson('form-errors') || [];
  const dataField = document.getElementById('form-data-field');
  const texts = readJson('form-texts');
  const described = texts ? withServerRules(schema.components, texts) : {};
  const form = new Form({
    container, properties: { readOnly },
    additionalModules: texts ? [{ translate: ['value', translator(texts, described)] }] : [],
  });
  await form.importSchema(schema, prefilled);
  if (texts) {
    localizeFixedWords(container, texts.texts);
  }

  const showServerErrors = () => {
    if (serverErrors.length) {
      keepServerErrors(form, schema, serverErrors);
      container.classList.add('refused');  // pages.css: each field keeps a line for its error
    }
  };
  showServerErrors();

  let draft = { sending() {} };
  form.on('submit', ({ data }) => {
    // The browser's checks are a convenience: the server validates every completion and answers.
    dataField.value = JSON.stringify(data);
    draft.sending();
    HTMLFormElement.prototype.submit.call(htmlForm);  // not a control the form's markup may name "submit"
  });
  htmlForm.addEventListener('submit', (event) => {
    event.preventDefault();
    form.submit();
  });
  await settled(form);

  // A draft is drawn over the page's data once the form is quiet; the server's errors stay beside the values
  // they refused, and come back with them when the draft is discarded.
  const paths = draftPaths(schema.components);
  draft = await keepDraft(htmlForm, {
    askFirst,
    formJs: {
      read: () => {
        const { data } = form._getState();
        return Object.fromEntries(paths.map((path) => [path.join('.'), valueAt(data, path)]));
      },
      write: async (values) => {
        await form.importSchema(schema, withValues(prefilled, values));
        await settled(form);
      },
      onChange: (listener) => form.on('changed', listener),
    },
    onDiscard: showServerErrors,
  });
  htmlForm.dataset.ready = 'true';
}

// A prefilled number field reports its value again once form-js's input debounce (300 ms) has passed, and
// the form redraws every input from its data: text typed in that moment is lost. People's tools and tests
// are told the form is ready once it has been quiet that long.
function settled(form, quietMs = 400) {
  return new Promise((resolve) => {
    let timer;
    const wait = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        form.off('changed', wait);
        resolve();
      }, quietMs);
    };
    form.on('changed', wait);
    wait();
  });
}

show();
