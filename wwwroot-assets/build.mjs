// Bundles the PET/CT viewer into src/Derby.Web/wwwroot/dist (run by Derby.Web.csproj; `npm run build` by hand;
// an argument names another output folder).
// The dicom-image-loader starts its decode worker with new URL('./decodeImageFrameWorker.js', import.meta.url) and finds
// its WASM codecs with new URL('@cornerstonejs/codec-*/...', import.meta.url): esbuild leaves both alone, so the worker
// is bundled as its own entry next to the viewer, and the codec URLs are rewritten to files copied beside it. Everything
// then loads from the app's own origin.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, '..', 'src', 'Derby.Web', 'wwwroot', 'dist'));
const require = createRequire(join(here, 'node_modules', '@cornerstonejs', 'dicom-image-loader', 'package.json'));
mkdirSync(out, { recursive: true });

const copied = new Set();
const codecUrls = {
  name: 'codec-urls',
  setup(b) {
    b.onLoad({ filter: /dicom-image-loader[\\/].*[\\/]decoders[\\/].*\.js$/ }, (args) => {
      let code = readFileSync(args.path, 'utf8');
      code = code.replace(/new URL\('(@cornerstonejs\/codec-[^']+)', import\.meta\.url\)/g, (_, spec) => {
        const file = require.resolve(spec);
        if (!copied.has(file)) {
          copyFileSync(file, join(out, basename(file)));
          copied.add(file);
        }
        return `new URL('./${basename(file)}', import.meta.url)`;
      });
      return { contents: code, loader: 'js' };
    });
    // The tools' compute worker (statistics, surfaces) is bundled beside the viewer too.
    b.onLoad({ filter: /tools[\\/].*registerComputeWorker\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace("'../workers/computeWorker.js'", "'./computeWorker.js'"),
      loader: 'js',
    }));
  },
};

// Node built-ins that bundled CommonJS packages require at load time (xmlbuilder2's URL and EventEmitter) or behind
// environment checks (codec glue, seedrandom): small browser stand-ins, so nothing is left for a require() at run time.
const nodeShims = {
  url: 'module.exports = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams, domainToASCII: (d) => d, domainToUnicode: (d) => d };',
  events: `class EventEmitter {
    constructor() { this._l = new Map(); }
    on(e, f) { (this._l.get(e) ?? this._l.set(e, []).get(e)).push(f); return this; }
    addListener(e, f) { return this.on(e, f); }
    once(e, f) { const g = (...a) => { this.off(e, g); f(...a); }; return this.on(e, g); }
    off(e, f) { const l = this._l.get(e); if (l) { const i = l.indexOf(f); if (i >= 0) l.splice(i, 1); } return this; }
    removeListener(e, f) { return this.off(e, f); }
    removeAllListeners(e) { if (e === undefined) this._l.clear(); else this._l.delete(e); return this; }
    emit(e, ...a) { const l = this._l.get(e); if (!l || l.length === 0) return false; for (const f of [...l]) f.apply(this, a); return true; }
    listenerCount(e) { return this._l.get(e)?.length ?? 0; }
  }
  module.exports = { EventEmitter, default: EventEmitter };`,
};
const nodeBuiltins = {
  name: 'node-builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:)?(fs|path|crypto|module|url|worker_threads|events|stream|util|os|buffer)$/ }, (args) => ({
      path: args.path.replace(/^node:/, ''),
      namespace: 'node-shim',
    }));
    b.onLoad({ filter: /.*/, namespace: 'node-shim' }, (args) => ({ contents: nodeShims[args.path] ?? 'module.exports = {};', loader: 'js' }));
  },
};

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [codecUrls, nodeBuiltins],
};

await build({ ...common, entryPoints: { 'petct-viewer': join(here, 'src', 'petct-viewer.js') }, outdir: out });
await build({
  ...common,
  entryPoints: {
    decodeImageFrameWorker: join(here, 'node_modules', '@cornerstonejs', 'dicom-image-loader', 'dist', 'esm', 'decodeImageFrameWorker.js'),
    computeWorker: join(here, 'node_modules', '@cornerstonejs', 'tools', 'dist', 'esm', 'workers', 'computeWorker.js'),
  },
  outdir: out,
});
console.log(`viewer bundle written to ${out} (${copied.size} codecs)`);
