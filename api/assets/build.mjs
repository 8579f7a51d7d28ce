// Bundles the page scripts and the bpmn.io styles they need into api/static/build (run by
// scripts/setup.sh through `npm run build`; the output is not committed).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

await build({
  entryPoints: {
    diagram: path.join(here, 'diagram.js'),
    form: path.join(here, 'form.js'),
    intake: path.join(here, 'intake.js'),
    modeler: path.join(here, 'modeler.js')
  },
  outdir: path.join(here, '..', 'static', 'build'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  legalComments: 'linked',
  // Fonts referenced by the bpmn.io styles ship as files next to the bundles: nothing from a CDN.
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file', '.png': 'file' },
  assetNames: 'assets/[name]-[hash]',
  logLevel: 'warning'
});
