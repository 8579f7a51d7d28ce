// The read-only diagram (case page, definition versions): bpmn-js NavigatedViewer with the case's
// active steps and completed steps marked. A diagram deployed without a layout is laid out here
// (common.js withLayout); the ids of its steps are the same, so the marks still apply.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';

import { readJson, showError, withLayout } from './common.js';

async function show() {
  const container = document.getElementById('diagram');
  if (!container) {
    return;
  }
  const viewer = new NavigatedViewer({ container });
  try {
    const { xml, generated } = await withLayout(readJson('diagram-xml'));
    await viewer.importXML(xml);
    if (generated) container.dataset.autoLayout = 'true';
  } catch (error) {
    showError(error, container);
    return;
  }
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const mark = (ids, marker) => ids
    .filter((id) => registry.get(id))  // steps of called processes are not in this diagram
    .forEach((id) => canvas.addMarker(id, marker));
  mark(JSON.parse(container.dataset.done || '[]'), 'gf-done');
  mark(JSON.parse(container.dataset.active || '[]'), 'gf-active');
  canvas.zoom('fit-viewport', 'auto');
  container.dataset.ready = 'true';  // for people's tools and tests: the diagram is drawn
}

show();
