// Drafts of the task and intake forms kept in this tab's sessionStorage (the modeler keeps diagrams in
// localStorage, modeler.js; a form holds applicants' details, which must not outlive the tab on a window's
// shared computer): a send that never reaches the server (the session ended, the page expired) or one answered
// with a read-only page (the task handed over, the case suspended) would otherwise lose what the clerk typed.
//
// One draft per user and page (data-user, data-page on the form: task/<id>, intake/<code>) holds the values
// that differ from what the server gave, with the time of the last change. A page opening with a draft that
// differs from it shows the draft in the form and says so (#form-draft, with a button to discard it); a
// read-only page shows it too, for the clerk to read or copy. A draft is dropped once the server took its
// send: a task page says so as it opens (data-completed-by: this user), and the other sent task drafts are
// asked of their own pages (data-check), because the page answering a completion (the queue) runs no script;
// the intake's receipt drops its draft itself (intake.js). Drafts older than KEEP_DAYS are dropped.
// Leaving a page with changes not sent asks first. A draft holding nothing the page does not show (the
// server saved it: 暂存) is dropped as the page opens.
//
// 暂存 (#save-button) sends the form's values to the server without completing the task, and a handover
// (#handover-form) sends them with it (#handover-data): the server keeps them with the task, for whoever
// opens it next, so the draft of that page is dropped as they go.

import { draftStore, withValues } from './common.js';

const DRAFTS = 'govflow.form.draft/';  // + user + '/' + page
const SENT = 'govflow.form.sent';  // sessionStorage: the draft this tab sent last, and where to
const DRAFT_DELAY = 300;  // ms: a burst of typing makes one draft
const KEEP_DAYS = 3;
const NOT_DRAFTED = new Set(['csrf_token', 'data']);  // the session's token; form-js's data, drafted as such
const NOT_FIELDS = new Set(['submit', 'button', 'reset', 'file', 'image']);

const store = draftStore(() => sessionStorage, (draft) => typeof draft.savedAt === 'number');

const session = {
  read() {
    try {
      return JSON.parse(sessionStorage.getItem(SENT));
    } catch (error) {
      return null;
    }
  },
  write(value) {
    try {
      if (value) sessionStorage.setItem(SENT, JSON.stringify(value));
      else sessionStorage.removeItem(SENT);
    } catch (error) {
      // the receipt then leaves the draft to expire
    }
  }
};

// JSON with keys sorted: the same values read in another order are the same.
function stable(value) {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stable(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value === undefined ? null : value);
}

const same = (a, b) => stable(a) === stable(b);

// Drafts of any user last changed more than KEEP_DAYS ago: case data is not kept in a browser for long.
function dropExpired() {
  const oldest = Date.now() - KEEP_DAYS * 24 * 3600 * 1000;
  for (const key of store.keys(DRAFTS)) {
    const draft = store.read(key);
    if (!draft || draft.savedAt < oldest) store.remove(key);
  }
}

// The form's own named fields (the checklist's radio groups, the intake's inputs), by name: a radio group's
// chosen value, a checkbox group's checked values. Hidden inputs the page made (the intake's generated case
// number) go apart: restored with a draft, never a change of their own.
function fieldsOf(form) {
  const fields = {};
  const hidden = {};
  for (const element of form.elements) {
    const { name, type } = element;
    if (!name || element.disabled || NOT_DRAFTED.has(name) || NOT_FIELDS.has(type) || element.tagName === 'BUTTON') {
      continue;
    }
    if (type === 'hidden') {
      hidden[name] = element.value;
    } else if (type === 'radio') {
      if (!(name in fields) || element.checked) fields[name] = element.checked ? element.value : '';
    } else if (type === 'checkbox') {
      const checked = fields[name] || (fields[name] = []);
      if (element.checked) checked.push(element.value);
    } else {
      fields[name] = element.value;
    }
  }
  return { fields, hidden };
}

function setFields(form, fields, hidden) {
  for (const element of form.elements) {
    const { name, type } = element;
    const values = type === 'hidden' ? hidden : fields;
    if (!name || NOT_DRAFTED.has(name) || NOT_FIELDS.has(type) || !(name in values)) continue;
    const value = values[name];
    if (type === 'radio') element.checked = element.value === value;
    else if (type === 'checkbox') element.checked = Array.isArray(value) && value.includes(element.value);
    else element.value = value;
  }
}

// The entries of a draft's map whose value differs from the page's, among those the page has: a field the
// form no longer asks (a material uploaded meanwhile) is nothing to restore.
function changes(drafted, shown) {
  return Object.fromEntries(Object.entries(drafted || {})
    .filter(([name, value]) => name in shown && !same(value, shown[name])));
}


// The draft's time, to the minute, in the browser's time zone.
function localTime(ms) {
  const at = new Date(ms);
  const two = (n) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}`;
}

// A sent task draft is kept until a page of its task says whether the server took it. Its own page says so
// as it opens; the others are read here (their data-check page, the form's data-completed-by), the draft
// dropped once it names this user. A page that does not answer so (the login page after the session ended,
// an error) leaves the draft as it is.
async function dropTaken(prefix, ownKey, user) {
  for (const key of store.keys(prefix)) {
    const draft = store.read(key);
    if (key === ownKey || !draft || !draft.sentAt || !draft.check) continue;
    try {
      const answer = await fetch(draft.check, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
      if (!answer.ok) continue;
      const page = new DOMParser().parseFromString(await answer.text(), 'text/html');
      const form = page.getElementById('complete-form');
      if (form && form.dataset.completedBy === user) store.remove(key);
    } catch (error) {
      // unreachable now: asked again by the next form page
    }
  }
}

// The page answering the form this tab sent last, at the address it was sent to (the intake's receipt):
// the server took the send, so its draft is dropped.
export function dropAnswered() {
  const sent = session.read();
  if (sent && sent.path === window.location.pathname) {
    store.remove(sent.key);
    session.write(null);
  }
}

// Keep drafts of the page's form (#complete-form). formJs, for a page drawing a form-js form: read() its
// values by data path, write(values) draw it again with the page's data and these values over it (null: the
// page's data alone), onChange(listener). onDiscard: called once a discarded draft's form is drawn again.
// Returns sending(), to call as the form is sent: the draft is stored as it is and the leave-page question
// is not asked.
// ``askFirst``: the draft is offered (#form-draft-restore) rather than put in the form at once: an intake
// form's draft may be the previous applicant's, left unsent, not this one's.
export async function keepDraft(form, { formJs = null, onDiscard = () => {}, askFirst = false } = {}) {
  const { user, page } = form.dataset;
  if (!user || !page) return { sending() {} };
  dropExpired();
  const prefix = `${DRAFTS}${user}/`;
  const key = prefix + page;
  const readOnly = form.dataset.readonly === 'true';
  const unsaved = form.dataset.unsaved === 'true';  // the page shows a refused send: none of it is stored
  const snapshot = () => ({ data: formJs ? formJs.read() : {}, fields: fieldsOf(form).fields });
  const shown = snapshot();
  const pageHidden = fieldsOf(form).hidden;
  if (form.dataset.completedBy === user) {  // the server took this user's completion
    store.remove(key);
    return { sending() {} };
  }
  const sent = session.read();
  if (sent && sent.key === key) session.write(null);  // the send came back to this page: not taken
  let offered = store.read(key);
  if (offered && offered.sentAt) {
    delete offered.sentAt;
    store.write(key, offered);
  }
  dropTaken(prefix, key, user);

  const changed = () => unsaved || !same(snapshot(), shown);
  let submitting = false;
  let timer = null;
  let pending = false;  // a draft offered and neither restored nor discarded yet: it stays as it is
  const storeDraft = () => {
    clearTimeout(timer);
    timer = null;
    if (readOnly || pending) return;  // nothing typed here: a draft shown stays as it is
    if (!changed()) {
      store.remove(key);
      return;
    }
    // The form's values the clerk changed; all of them on a refused send's page, where none is stored.
    const now = snapshot();
    store.write(key, { data: unsaved ? now.data : changes(now.data, shown.data), fields: now.fields,
      hidden: fieldsOf(form).hidden, check: form.dataset.check, savedAt: Date.now() });
  };
  const scheduleDraft = () => {
    clearTimeout(timer);
    timer = setTimeout(storeDraft, DRAFT_DELAY);
  };

  const notice = document.getElementById('form-draft');
  const dataChanges = offered ? changes(offered.data, shown.data) : {};
  const fieldChanges = offered ? changes(offered.fields, shown.fields) : {};
  const restore = async () => {
    if (formJs && Object.keys(dataChanges).length) await formJs.write(dataChanges);
    setFields(form, fieldChanges, offered.hidden || {});
    form.dataset.restored = 'true';
  };
  if (Object.keys(dataChanges).length || Object.keys(fieldChanges).length) {
    const restoreButton = notice && notice.querySelector('#form-draft-restore');
    if ((askFirst || offered.heldAt) && restoreButton) {
      pending = true;
      restoreButton.hidden = false;
      restoreButton.addEventListener('click', async () => {
        pending = false;
        restoreButton.hidden = true;
        await restore();
      }, { once: true });
    } else {
      await restore();
    }
    if (notice) {
      notice.querySelector('#form-draft-time').textContent = localTime(offered.savedAt);
      for (const text of notice.querySelectorAll('[data-read-only]')) {
        text.hidden = Boolean(offered.heldAt) || (text.dataset.readOnly === 'true') !== readOnly;
      }
      for (const text of notice.querySelectorAll('[data-held]')) text.hidden = !offered.heldAt;
      notice.hidden = false;
      notice.querySelector('#form-draft-discard').addEventListener('click', async () => {
        notice.hidden = true;
        pending = false;
        store.remove(key);
        if (formJs) await formJs.write(null);
        setFields(form, shown.fields, pageHidden);
        delete form.dataset.restored;
        onDiscard();
        if (unsaved) storeDraft();  // a refused send's values are stored nowhere else
      }, { once: true });
    }
  } else if (unsaved) {
    storeDraft();
  } else if (offered) {
    store.remove(key);  // the page shows all of it: the server has it (暂存)
  }

  if (formJs) formJs.onChange(scheduleDraft);
  const typed = (event) => {
    if (event.target.form === form) scheduleDraft();  // the checklist's radios are the form's from outside it
  };
  document.addEventListener('input', typed);
  document.addEventListener('change', typed);
  window.addEventListener('beforeunload', (event) => {
    if (timer) storeDraft();  // typed just before leaving
    if (readOnly || submitting || !changed()) return;
    event.preventDefault();
    event.returnValue = '';  // the browser shows its own "leave the page?" question
  });

  // Stored as sent, until the server's answer says what became of it (a login page says nothing).
  const sending = () => {
    if (submitting) return;
    submitting = true;
    storeDraft();
    const draft = store.read(key);
    if (draft) store.write(key, { ...draft, sentAt: Date.now() });
    session.write({ key, path: new URL(form.getAttribute('action') || '', window.location.href).pathname });
  };
  // 暂存 and a handover leave the values with the server, for whoever opens the task next (a colleague who
  // changes them and hands it back): the draft is kept, marked as given to the server, and only offered
  // when the page opens again, never put over what the server shows; if the server refused it (the session
  // had ended, a value was refused) the clerk restores it with one click.
  const held = () => {
    storeDraft();
    clearTimeout(timer);
    timer = null;
    submitting = true;
    const draft = store.read(key);
    if (draft) store.write(key, { ...draft, heldAt: Date.now() });
  };
  // A page shown again from the back/forward cache (the send left it, or never left): nothing is being
  // sent from it now, and leaving it with changes asks again.
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) submitting = false;
  });
  if (formJs && !readOnly) sendsToServer(form, formJs, held);
  return { sending };
}

// A form of its own, posting the fields given: the completion form keeps its action, whatever becomes of
// this send (a page back from the cache, a request that never left, completes the task with 提交并完成).
function post(action, fields) {
  for (const left of document.querySelectorAll('form[data-sender]')) left.remove();
  const sender = document.createElement('form');
  sender.method = 'post';
  sender.action = action;
  sender.hidden = true;
  sender.dataset.sender = 'true';
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    sender.append(input);
  }
  document.body.append(sender);
  sender.submit();
}

// The acceptance checklist's choices (radio groups named "mark:" + material, api/pages/work.py MARK_FIELD),
// as the completion form would send them: kept with the values, shown chosen again.
function checklistChoices() {
  const checked = document.querySelectorAll('input[type="radio"][name^="mark:"]:checked');
  return Object.fromEntries([...checked].map((radio) => [radio.name, radio.value]));
}

// 暂存 and the handover send the form-js form's values (its fields a clerk fills in) and the checklist's
// choices, unchecked: a draft may be incomplete, and the server checks what it stores. held(): called as
// the values go.
function sendsToServer(form, formJs, held) {
  const values = () => JSON.stringify(withValues({}, formJs.read()));
  const saveButton = document.getElementById('save-button');
  if (saveButton && form.elements.data) {
    saveButton.addEventListener('click', () => {
      const token = form.elements.csrf_token;
      post(saveButton.dataset.action,
           { ...(token ? { csrf_token: token.value } : {}), data: values(), ...checklistChoices() });
      held();
    });
    saveButton.disabled = false;
  }
  const handover = document.getElementById('handover-form');
  const carried = document.getElementById('handover-data');
  if (handover && carried) {
    handover.addEventListener('submit', (event) => {
      if (event.defaultPrevented) return;  // not sent: the draft stays
      carried.value = values();
      carried.disabled = false;
      for (const left of handover.querySelectorAll('input[data-choice]')) left.remove();
      for (const [name, value] of Object.entries(checklistChoices())) {
        const input = document.createElement('input');
        Object.assign(input, { type: 'hidden', name, value });
        input.dataset.choice = 'true';
        handover.append(input);
      }
      held();
    });
  }
}
