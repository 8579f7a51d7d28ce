// Helpers shared by the page scripts.
import { layoutProcess } from 'bpmn-auto-layout';

const BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
const BPMNDI = 'http://www.omg.org/spec/BPMN/20100524/DI';

// Data the server embeds in <script type="application/json" id="..."> (escaped by Jinja's tojson).
export function readJson(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

// A diagram without a layout that bpmn-auto-layout cannot draw: it lays out the first process alone, without
// pools, lanes or message flows, which would show a collaboration as something it is not.
export class LayoutUnsupported extends Error {
  constructor() {
    super('the diagram has no layout, and none can be generated for its pools or lanes');
    this.name = 'LayoutUnsupported';
    this.reason = 'layout-unsupported';  // the error box's data-reason; data-layout-unsupported its words
  }
}

// The diagram to import: the XML as it is when it has a drawn layout (a BPMNPlane for one of its processes
// or its collaboration), else with one bpmn-auto-layout generated (generated: true). Diagrams written by
// generators and some tools carry no BPMN DI at all; they run, but bpmn-js has nothing to draw
// ("no diagram to display"). XML that does not parse is passed on for bpmn-js to say what is wrong.
export async function withLayout(xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) {
    return { xml, generated: false };
  }
  const roots = new Set(Array.from(doc.documentElement.children)
    .filter((e) => e.namespaceURI === BPMN && (e.localName === 'process' || e.localName === 'collaboration'))
    .map((e) => e.getAttribute('id')));
  const planes = Array.from(doc.getElementsByTagNameNS(BPMNDI, 'BPMNPlane'));
  if (planes.some((plane) => roots.has(plane.getAttribute('bpmnElement')))) {
    return { xml, generated: false };
  }
  if (doc.getElementsByTagNameNS(BPMN, 'participant').length || doc.getElementsByTagNameNS(BPMN, 'lane').length) {
    throw new LayoutUnsupported();
  }
  return { xml: await layoutProcess(xml), generated: true };
}

// The page's words for an error it knows (data-<reason> on the error box, in the page's language), else the
// error's own message; the drawing, which has nothing to show, is taken out of the page.
export function showError(error, drawing) {
  if (drawing) drawing.style.display = 'none';  // not the hidden attribute: the modeler's CSS sets display
  const box = document.querySelector('.diagram-error');
  if (box) {
    const reason = error && error.reason;
    const words = reason ? box.getAttribute(`data-${reason}`) : null;
    box.hidden = false;
    if (reason) box.dataset.reason = reason;
    box.querySelector('span').textContent = words || (error && error.message ? error.message : String(error));
  }
}

// Drafts kept in a Web Storage area (localStorage, sessionStorage) as JSON, each valid by ``isDraft``. The
// area may be disabled or full: nothing is kept then, and leaving a page with changes still asks.
export function draftStore(area, isDraft) {
  return {
    keys(prefix) {
      try {
        return Object.keys(area()).filter((key) => key.startsWith(prefix));
      } catch (error) {
        return [];
      }
    },
    read(key) {
      try {
        const draft = JSON.parse(area().getItem(key));
        return draft && isDraft(draft) ? draft : null;
      } catch (error) {
        return null;
      }
    },
    write(key, draft) {
      try {
        area().setItem(key, JSON.stringify(draft));
      } catch (error) {
        // nothing kept: the warning on leaving the page is what is left
      }
    },
    remove(key) {
      try {
        area().removeItem(key);
      } catch (error) {
        // disabled storage holds nothing to remove
      }
    },
  };
}

// The data with the values (by data path, "a.b", as form-js reads them) put in, nested as a form's data
// holds them; a value form-js reads as undefined is left out.
export function withValues(data, values) {
  const result = structuredClone(data);
  for (const [name, value] of Object.entries(values || {})) {
    if (value === undefined) continue;
    const path = name.split('.');
    let parent = result;
    for (const key of path.slice(0, -1)) {
      parent = parent[key] !== null && typeof parent[key] === 'object' ? parent[key] : (parent[key] = {});
    }
    parent[path[path.length - 1]] = value;
  }
  return result;
}
