// The modeler: bpmn-js Modeler with the properties panel and the Camunda 7 extensions (moddle and
// behaviors), so diagrams carry camunda:candidateGroups, formKey, dueDate ... as Camunda Modeler's do.
// Saving posts the XML to the server, which deploys it through the same path as an upload; a refused
// save comes back as this page with the submitted XML, so no edit is lost.
//
// A save that never reaches the deploy (the session ended, the form expired) would still lose the
// diagram: so every change is also kept as a draft in the browser's localStorage, one per user and page
// (blank, or key/version), offered back when the page is opened again and dropped once the server says
// it was saved (the cookie api/pages/modeler.py sets). Leaving the page with changes unsaved asks first.
//
// A diagram deployed without a layout is laid out on opening (common.js withLayout) and says so
// (#modeler-auto-layout); saving it, edited or not, stores the generated layout as the next version. The
// layout alone is no edit: it is generated the same way again, so it makes no draft and no question on
// leaving. A diagram that cannot be shown (one the layout cannot draw, XML bpmn-js refuses) cannot be
// saved either: the save would post nothing, and the refusal would offer a blank diagram in its place.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule
} from 'bpmn-js-properties-panel';
import CamundaBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-platform';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';

import { draftStore, readJson, showError, withLayout } from './common.js';
import { languageModules } from './modeler_language.js';

const DRAFTS = 'govflow.modeler.draft/';  // + user + '/' + page
const SAVED_COOKIE = 'govflow_modeler_saved';
const DRAFT_DELAY = 300;  // ms: a burst of edits (typing a name) makes one draft

// Lower-case letters and digits from the browser's random source, for ids that must not repeat.
function randomId(length) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (n) => alphabet[n % 36]).join('');
}

// A new diagram: one executable process with a start event, ready for Camunda properties. Its process
// id is fresh each time (Process_ and 7 characters, as Camunda Modeler makes them): a fixed one would make
// every new diagram the next version of whatever was saved under it before.
function blankDiagram() {
  const id = randomId(7);
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_${id}" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="Process_${id}" name="新事项" isExecutable="true">
    <bpmn:startEvent id="start" name="收件" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_${id}">
    <bpmndi:BPMNPlane id="BPMNPlane_${id}" bpmnElement="Process_${id}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="180" y="160" width="36" height="36" /></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;
}

// A pool drawn here runs as one drawn in Camunda Modeler does: its new process is executable from the start
// (bpmn-js leaves isExecutable unset, and a deployment takes executable processes only). Set inside the
// drawing's own command, so one undo takes both back.
function ExecutablePools(eventBus, modeling) {
  eventBus.on('commandStack.shape.create.postExecute', ({ context }) => {
    const pool = context.shape.businessObject;
    const process = pool.processRef;
    if (pool.$type === 'bpmn:Participant' && process && process.isExecutable === undefined) {
      modeling.updateModdleProperties(context.shape, process, { isExecutable: true });
    }
  });
}
ExecutablePools.$inject = ['eventBus', 'modeling'];
const ExecutablePoolsModule = { __init__: ['executablePools'], executablePools: ['type', ExecutablePools] };

function processId(modeler) {
  const process = modeler.getDefinitions().rootElements.find((e) => e.$type === 'bpmn:Process');
  return process ? process.id : 'process';
}

// Reading the area may itself throw (storage disabled): hence a function.
const drafts = draftStore(() => localStorage, (draft) => typeof draft.xml === 'string');

// Drop the drafts the server saved since this page last looked (their ids are in the cookie), then the
// cookie itself.
function dropSavedDrafts(cookiePath) {
  const cookie = document.cookie.split('; ').find((c) => c.startsWith(`${SAVED_COOKIE}=`));
  if (!cookie) return;
  const saved = new Set(cookie.slice(SAVED_COOKIE.length + 1).replace(/"/g, '').split('.'));
  for (const key of drafts.keys(DRAFTS)) {
    const draft = drafts.read(key);
    if (!draft || saved.has(draft.id)) drafts.remove(key);
  }
  document.cookie = `${SAVED_COOKIE}=; Max-Age=0; Path=${cookiePath}; SameSite=Lax`;
}

// The draft's time as the pages show times: in the server's time zone (data-time-zone), to the minute.
function localTime(ms, timeZone) {
  const parts = {};
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit' });
  for (const { type, value } of format.formatToParts(new Date(ms))) parts[type] = value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

// A form post sends line breaks as CRLF: a diagram sent back by a refused save is the same one drafted.
const sameXml = (a, b) => a.replace(/\r\n/g, '\n') === b.replace(/\r\n/g, '\n');

// The user's drafts of other pages, as links to them: work kept after a session that ended is found
// from any modeler page, whichever the login led back to.
function listOtherDrafts(prefix, ownKey, modelerPath, timeZone) {
  const box = document.getElementById('modeler-other-drafts');
  const links = box.querySelector('.draft-links');
  for (const key of drafts.keys(prefix).sort()) {
    const draft = drafts.read(key);
    const page = key.slice(prefix.length);
    if (key === ownKey || !draft) continue;
    const link = document.createElement('a');
    const slash = page.lastIndexOf('/');
    if (page === 'new') {  // drafted before each new diagram had its own
      link.href = modelerPath;
      link.textContent = box.dataset.blankLabel;
    } else if (page.startsWith('new/')) {  // several may be listed: each by its time
      link.href = `${modelerPath}?draft=${encodeURIComponent(page.slice(4))}`;
      link.textContent = `${box.dataset.blankLabel} ${localTime(draft.savedAt, timeZone)}`;
    } else if (slash > 0) {
      link.href = `${modelerPath}/${encodeURIComponent(page.slice(0, slash))}/${encodeURIComponent(page.slice(slash + 1))}`;
      link.textContent = `${page.slice(0, slash)} v${page.slice(slash + 1)}`;
    } else {
      continue;
    }
    link.title = localTime(draft.savedAt, timeZone);
    link.className = 'draft-link';
    if (links.childElementCount) links.append(' · ');
    links.append(link);
  }
  box.hidden = links.childElementCount === 0;
}

async function show() {
  const form = document.getElementById('modeler-form');
  const modeler = new BpmnModeler({
    container: '#canvas',
    propertiesPanel: { parent: '#properties' },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      CamundaPlatformPropertiesProviderModule,
      CamundaBehaviorsModule,
      ExecutablePoolsModule,
      ...languageModules(document.documentElement.lang)  // the page's language (modeler_language.js)
    ],
    moddleExtensions: { camunda: camundaModdle }
  });
  const pageXml = readJson('diagram-xml') || blankDiagram();
  const saveButton = document.getElementById('modeler-save');
  let loaded = false;
  form.addEventListener('submit', (event) => {
    if (!loaded) event.preventDefault();  // an Enter in a name field submits the form too
  });
  let generated = false;
  try {
    let shown;
    ({ xml: shown, generated } = await withLayout(pageXml));
    await modeler.importXML(shown);
  } catch (error) {
    saveButton.disabled = true;
    showError(error, document.querySelector('.modeler'));
    return;
  }
  loaded = true;
  const autoLayout = document.getElementById('modeler-auto-layout');
  const showAutoLayout = () => {
    if (generated) form.dataset.autoLayout = 'true';
    else delete form.dataset.autoLayout;
    if (autoLayout) autoLayout.hidden = !generated;
  };
  showAutoLayout();
  const canvas = modeler.get('canvas');
  fitBesidePalette(canvas);
  const fileName = document.getElementById('modeler-file-name');
  const deploymentName = document.getElementById('modeler-name');
  const draftId = document.getElementById('modeler-draft-id');
  const modelerPath = form.dataset.modelerPath;
  const timeZone = form.dataset.timeZone || undefined;
  const prefix = `${DRAFTS}${form.dataset.user}/`;
  if (!draftId.value) draftId.value = randomId(16);  // a refused save keeps the id it was posted with
  // A new diagram's draft is its own (new/<id>): two tabs drawing new diagrams keep two drafts.
  const draftKey = prefix + (form.dataset.page === 'new' ? `new/${draftId.value}` : form.dataset.page);

  // Every edit (on the canvas or in the properties panel) is a command; none left to undo means the
  // diagram is the one the page was opened with. That is the stored version itself unless a refused save
  // sent it back (data-unsaved) or a draft replaced it. Deploying an unchanged latest version anyway would
  // make a new version, because the XML bpmn-js writes differs from the stored file.
  const commands = modeler.get('commandStack');
  const unsavedPage = form.dataset.unsaved === 'true';
  let restored = false;
  let submitting = false;
  const changed = () => unsavedPage || restored || commands.canUndo();
  const unchanged = document.getElementById('modeler-unchanged');

  dropSavedDrafts(modelerPath);
  const unnamed = drafts.read(`${prefix}new`);  // drafted before each new diagram had an id: this page's now
  if (form.dataset.page === 'new' && unnamed && !drafts.read(draftKey)) {
    drafts.write(draftKey, unnamed);
    drafts.remove(`${prefix}new`);
  }
  const banner = document.getElementById('modeler-draft');
  let offered = drafts.read(draftKey);
  const openedAt = Date.parse(form.dataset.deployedAt || '');
  if (offered && (sameXml(offered.xml, pageXml) || offered.savedAt <= openedAt)) {
    offered = null;  // what the page shows already, or older than the version opened: nothing to offer
  }
  if (offered) {
    document.getElementById('modeler-draft-time').textContent = localTime(offered.savedAt, timeZone);
    banner.hidden = false;
  }
  const settle = () => {
    offered = null;
    banner.hidden = true;
  };
  listOtherDrafts(prefix, draftKey, modelerPath, timeZone);

  let timer = null;
  const storeDraft = async () => {
    if (offered) return;  // the offered draft stays until restored or discarded
    if (!changed()) {
      drafts.remove(draftKey);
      return;
    }
    const { xml } = await modeler.saveXML({ format: true });
    drafts.write(draftKey, { id: draftId.value, xml, fileName: fileName.value, name: deploymentName.value,
      savedAt: Date.now() });
  };
  const scheduleDraft = () => {
    clearTimeout(timer);
    timer = setTimeout(storeDraft, DRAFT_DELAY);
  };
  modeler.on('commandStack.changed', () => {
    if (unchanged) unchanged.hidden = true;
    scheduleDraft();
  });
  fileName.addEventListener('input', scheduleDraft);
  deploymentName.addEventListener('input', scheduleDraft);
  if (unsavedPage) storeDraft();  // a refused save's diagram is in no version yet

  document.getElementById('modeler-draft-restore').addEventListener('click', async () => {
    const draft = offered;
    settle();
    try {
      const { xml, generated: laidOut } = await withLayout(draft.xml);
      await modeler.importXML(xml);
      generated = laidOut;
    } catch (error) {
      showError(error);
      return;
    }
    restored = true;
    showAutoLayout();
    if (unchanged) unchanged.hidden = true;
    if (draft.fileName) fileName.value = draft.fileName;
    if (draft.name) deploymentName.value = draft.name;
    draftId.value = draft.id || draftId.value;
    fitBesidePalette(canvas);
    form.dataset.restored = 'true';
  });
  document.getElementById('modeler-draft-discard').addEventListener('click', () => {
    settle();
    drafts.remove(draftKey);
    storeDraft();  // edits made meanwhile become this page's draft
  });

  window.addEventListener('beforeunload', (event) => {
    if (submitting || !changed()) return;
    event.preventDefault();
    event.returnValue = '';  // the browser shows its own "leave the page?" question
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.dataset.stored && unchanged && !changed() && !generated) {
      unchanged.hidden = false;
      return;
    }
    const { xml } = await modeler.saveXML({ format: true });
    document.getElementById('modeler-xml').value = xml;
    if (!fileName.value.trim()) {
      fileName.value = `${processId(modeler)}.bpmn`;
    }
    // An edited diagram saved replaces any draft offered; it is kept as this page's draft until the
    // server has saved it, in case the answer is the login page.
    clearTimeout(timer);
    if (changed()) {
      settle();
      await storeDraft();
    }
    submitting = true;
    form.submit();
  });
  form.dataset.ready = 'true';
}

show();

// The whole diagram in view, right of the palette that floats over the canvas's left edge: fit-viewport alone
// puts the first elements under it. Never zoomed in beyond 100%.
function fitBesidePalette(canvas) {
  const MARGIN = 24;
  const container = canvas.getContainer();
  const palette = container.querySelector('.djs-palette');
  const left = (palette ? palette.getBoundingClientRect().right - container.getBoundingClientRect().left : 0) + MARGIN;
  const { inner, outer } = canvas.viewbox();
  if (!inner.width || !inner.height || outer.width <= left + MARGIN) {
    canvas.zoom('fit-viewport', 'auto');
    return;
  }
  const scale = Math.min((outer.width - left - MARGIN) / inner.width, (outer.height - 2 * MARGIN) / inner.height, 1);
  canvas.viewbox({ x: inner.x - left / scale, y: inner.y - MARGIN / scale,
                   width: outer.width / scale, height: outer.height / scale });
}
