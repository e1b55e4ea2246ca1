// The viewer component's JS module: the Cornerstone3D bundle (built from wwwroot-assets into wwwroot/dist) does the work.
import * as bundle from '../../dist/petct-viewer.js';

/** Creates a viewer in the component's three viewport elements; the returned object is the viewer .NET calls. */
export function create(ct, fusion, pet, readout, dotnet, options) {
  return bundle.create({ ct, fusion, pt: pet }, readout, dotnet, options);
}

/** Rendering engines alive on the page (0 when every viewer is torn down). */
export function renderingEngineCount() {
  return bundle.renderingEngineCount();
}
