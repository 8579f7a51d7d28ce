// The modeler: bpmn-js Modeler with the properties panel and the Camunda 7 extensions (moddle and
// behaviors), so diagrams carry camunda:candidateGroups, formKey, dueDate ... as Camunda Modeler's do.
// Saving posts the XML to the server, which deploys it through the same path as an upload; a refused
// save comes back as this page with the submitted XML, so no edit is lost.
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

import { readJson, showError } from './common.js';

// A new diagram: one executable process with a start event, ready for Camunda properties.
const BLANK = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_new" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="new_item" name="新事项" isExecutable="true">
    <bpmn:startEvent id="start" name="收件" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_new">
    <bpmndi:BPMNPlane id="Plane_new" bpmnElement="new_item">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="180" y="160" width="36" height="36" /></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;

function processId(modeler) {
  const process = modeler.getDefinitions().rootElements.find((e) => e.$type === 'bpmn:Process');
  return process ? process.id : 'process';
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
      CamundaBehaviorsModule
    ],
    moddleExtensions: { camunda: camundaModdle }
  });
  try {
    await modeler.importXML(readJson('diagram-xml') || BLANK);
  } catch (error) {
    showError(error);
    return;
  }
  modeler.get('canvas').zoom('fit-viewport', 'auto');
  const fileName = document.getElementById('modeler-file-name');
  // Every edit (on the canvas or in the properties panel) is a command; none left to undo means the
  // diagram is the stored version as it was. Deploying it anyway would make a new version, because the
  // XML bpmn-js writes differs from the stored file even when nothing changed.
  const commands = modeler.get('commandStack');
  const unchanged = document.getElementById('modeler-unchanged');
  modeler.on('commandStack.changed', () => {
    if (unchanged) unchanged.hidden = true;
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.dataset.stored && unchanged && !commands.canUndo()) {
      unchanged.hidden = false;
      return;
    }
    const { xml } = await modeler.saveXML({ format: true });
    document.getElementById('modeler-xml').value = xml;
    if (!fileName.value.trim()) {
      fileName.value = `${processId(modeler)}.bpmn`;
    }
    form.submit();
  });
  form.dataset.ready = 'true';
}

show();
