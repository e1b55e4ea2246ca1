// Derby's PET/CT viewer on Cornerstone3D: three linked axial volume viewports (CT, PET/CT fusion, PET), PET in SUV,
// window/level presets, an SUV readout under the cursor, a rectangle tool for lesion boxes and a labelmap overlay.
// Used by Components/Viewer/PetCtViewer.razor.js; every public function here is called through PetCtViewerInterop.
import {
  RenderingEngine,
  Enums,
  init as coreInit,
  isCornerstoneInitialized,
  volumeLoader,
  setVolumesForViewports,
  metaData,
  cache,
  utilities as csUtils,
  eventTarget,
  getRenderingEngines,
  getWebWorkerManager,
} from '@cornerstonejs/core';
import * as tools from '@cornerstonejs/tools';
import dicomImageLoader from '@cornerstonejs/dicom-image-loader';

const {
  ToolGroupManager,
  SynchronizerManager,
  StackScrollTool,
  WindowLevelTool,
  PanTool,
  ZoomTool,
  RectangleROITool,
  synchronizers,
  segmentation,
  annotation,
  Enums: ToolEnums,
} = tools;

/** CT window presets as [lower, upper] HU (width/level: soft tissue 400/40, liver 150/90, lung 1500/−600, bone 1800/400). */
export const ctPresets = {
  'soft-tissue': [-160, 240],
  liver: [15, 165],
  lung: [-1350, 150],
  bone: [-500, 1300],
};

/** PET display ranges in SUV. */
export const petPresets = { 'suv-0-5': [0, 5], 'suv-0-10': [0, 10], 'suv-0-15': [0, 15] };

// SUV scaling for the loader: body-weight SUV per rescaled value of each PET image, computed by the server (SuvCalculator).
const suvFactors = new Map();
let viewers = 0;
let initialized = false;

function ensureInitialized() {
  if (initialized) {
    return;
  }

  if (!isCornerstoneInitialized()) {
    coreInit();
  }

  // One decode worker: images arrive uncompressed and the machines this runs on are small.
  dicomImageLoader.init({ maxWebWorkers: 1 });
  tools.init();
  for (const tool of [StackScrollTool, WindowLevelTool, PanTool, ZoomTool, RectangleROITool]) {
    tools.addTool(tool);
  }

  metaData.addProvider((type, imageId) => {
    if (type === 'scalingModule' && suvFactors.has(imageId)) {
      return { suvbw: suvFactors.get(imageId) };
    }

    return undefined;
  }, 10000);
  initialized = true;
}

async function fetchSeries(wadoRoot, study, series) {
  const url = `${wadoRoot}/studies/${encodeURIComponent(study)}/series/${encodeURIComponent(series)}/metadata`;
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/dicom+json' } });
  if (!response.ok) {
    throw new Error(`Series metadata ${response.status}: ${url}`);
  }

  const instances = await response.json();
  return instances.map((instance) => {
    const sop = instance['00080018'].Value[0];
    const imageId = `wadors:${wadoRoot}/studies/${study}/series/${series}/instances/${sop}/frames/1`;
    dicomImageLoader.wadors.metaDataManager.add(imageId, instance);
    return imageId;
  });
}

/**
 * Creates a viewer in the three elements and loads the series. options: { wadoRoot, ct: { study, series },
 * pet: { study, series, suvFactor } }. The .NET object receives OnBoxFromJs(corners) when a rectangle is drawn and
 * OnViewerError(message) when loading fails. Returns the viewer, whose methods .NET calls.
 */
export async function create(elements, readout, dotnet, options) {
  ensureInitialized();
  viewers++;
  const id = `derby-${Math.random().toString(36).slice(2, 10)}`;
  const wadoRoot = new URL(options.wadoRoot, window.location.href).href.replace(/\/$/, '');
  const ctVolumeId = `cornerstoneStreamingImageVolume:${id}-ct`;
  const ptVolumeId = `cornerstoneStreamingImageVolume:${id}-pt`;
  const ids = { ct: `${id}-ct`, fusion: `${id}-fusion`, pt: `${id}-pt` };
  const engine = new RenderingEngine(`${id}-engine`);
  const toolGroupId = `${id}-tools`;
  const syncId = `${id}-camera`;
  const imageIds = [];
  const listeners = [];
  let destroyed = false;
  let ptVolume = null;
  let segmentationId = null;

  const on = (target, type, fn) => {
    target.addEventListener(type, fn);
    listeners.push(() => target.removeEventListener(type, fn));
  };

  engine.setViewports([
    { viewportId: ids.ct, type: Enums.ViewportType.ORTHOGRAPHIC, element: elements.ct, defaultOptions: { orientation: Enums.OrientationAxis.AXIAL } },
    { viewportId: ids.fusion, type: Enums.ViewportType.ORTHOGRAPHIC, element: elements.fusion, defaultOptions: { orientation: Enums.OrientationAxis.AXIAL } },
    { viewportId: ids.pt, type: Enums.ViewportType.ORTHOGRAPHIC, element: elements.pt, defaultOptions: { orientation: Enums.OrientationAxis.AXIAL, background: [1, 1, 1] } },
  ]);

  const toolGroup = ToolGroupManager.createToolGroup(toolGroupId);
  for (const name of [StackScrollTool.toolName, WindowLevelTool.toolName, PanTool.toolName, ZoomTool.toolName, RectangleROITool.toolName]) {
    toolGroup.addTool(name);
  }

  for (const viewportId of Object.values(ids)) {
    toolGroup.addViewport(viewportId, engine.id);
  }

  const B = ToolEnums.MouseBindings;
  toolGroup.setToolActive(RectangleROITool.toolName, { bindings: [{ mouseButton: B.Primary }] });
  toolGroup.setToolActive(WindowLevelTool.toolName, { bindings: [{ mouseButton: B.Secondary }] });
  toolGroup.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: B.Auxiliary }] });
  toolGroup.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: B.Primary, modifierKey: ToolEnums.KeyboardBindings.Shift }] });
  toolGroup.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: B.Wheel }] });

  // PET and CT show the same slice and camera: one camera synchroniser across the three viewports.
  const sync = synchronizers.createCameraPositionSynchronizer(syncId);
  for (const viewportId of Object.values(ids)) {
    sync.add({ renderingEngineId: engine.id, viewportId });
  }

  for (const element of Object.values(elements)) {
    on(element, 'contextmenu', (e) => e.preventDefault());
  }

  // SUV under the cursor, from the PET volume (already scaled to SUV by the loader), in any of the three viewports.
  const showSuv = (viewportId) => (event) => {
    if (!ptVolume) {
      return;
    }

    const viewport = engine.getViewport(viewportId);
    const rect = event.currentTarget.getBoundingClientRect();
    const world = viewport.canvasToWorld([event.clientX - rect.left, event.clientY - rect.top]);
    const [i, j, k] = csUtils.transformWorldToIndex(ptVolume.imageData, world);
    const [nx, ny, nz] = ptVolume.dimensions;
    if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) {
      readout.textContent = 'SUV –';
      return;
    }

    const value = ptVolume.voxelManager.getAtIJK(i, j, k);
    readout.textContent = `SUV ${Number(value).toFixed(2)}`;
    readout.dataset.value = String(value);
  };
  on(elements.ct, 'mousemove', showSuv(ids.ct));
  on(elements.fusion, 'mousemove', showSuv(ids.fusion));
  on(elements.pt, 'mousemove', showSuv(ids.pt));

  // A completed rectangle replaces the previous one; its four corners (LPS mm) go to .NET, which makes voxel indices of them.
  let box = null;
  const completed = (event) => {
    const done = event.detail?.annotation;
    const engineId = event.detail?.renderingEngineId;
    if (!done || done.metadata?.toolName !== RectangleROITool.toolName || (engineId && engineId !== engine.id)) {
      return;
    }

    if (box && box !== done.annotationUID) {
      annotation.state.removeAnnotation(box);
    }

    box = done.annotationUID;
    engine.render();
    const corners = done.data.handles.points.map((p) => [p[0], p[1], p[2]]);
    dotnet.invokeMethodAsync('OnBoxFromJs', corners);
  };
  on(eventTarget, ToolEnums.Events.ANNOTATION_COMPLETED, completed);

  const viewer = {
    id,
    async load() {
      const [ctIds, ptIds] = await Promise.all([
        fetchSeries(wadoRoot, options.ct.study, options.ct.series),
        fetchSeries(wadoRoot, options.pet.study, options.pet.series),
      ]);
      imageIds.push(...ctIds, ...ptIds);
      for (const imageId of ptIds) {
        suvFactors.set(imageId, options.pet.suvFactor ?? 1);
      }

      const ct = await volumeLoader.createAndCacheVolume(ctVolumeId, { imageIds: ctIds });
      ptVolume = await volumeLoader.createAndCacheVolume(ptVolumeId, { imageIds: ptIds });
      ct.load();
      ptVolume.load();
      await setVolumesForViewports(engine, [{ volumeId: ctVolumeId }], [ids.ct]);
      await setVolumesForViewports(engine, [{ volumeId: ptVolumeId }], [ids.pt]);
      await setVolumesForViewports(engine, [{ volumeId: ctVolumeId }, { volumeId: ptVolumeId }], [ids.fusion]);
      viewer.setCtPreset('soft-tissue');
      viewer.setPetPreset('suv-0-5');
      engine.getViewport(ids.pt).setProperties({ invert: true }, ptVolumeId);
      viewer.setFusionOpacity(0.5);
      await waitLoaded(ct, ptVolume);
      if (destroyed) {
        return null;
      }

      engine.render();
      return { ctSlices: ctIds.length, petSlices: ptIds.length };
    },
    setCtPreset(name) {
      const [lower, upper] = ctPresets[name];
      engine.getViewport(ids.ct).setProperties({ voiRange: { lower, upper } }, ctVolumeId);
      engine.getViewport(ids.fusion).setProperties({ voiRange: { lower, upper } }, ctVolumeId);
      engine.render();
    },
    setPetPreset(name) {
      const [lower, upper] = petPresets[name];
      engine.getViewport(ids.pt).setProperties({ voiRange: { lower, upper } }, ptVolumeId);
      engine.getViewport(ids.fusion).setProperties({ voiRange: { lower, upper } }, ptVolumeId);
      engine.render();
    },
    setFusionOpacity(opacity) {
      // Background uptake (below SUV 0.5) stays see-through, so CT shows where there is little tracer.
      const opacityMapping = [{ value: 0, opacity: 0 }, { value: 0.5, opacity: 1 }, { value: 1000, opacity: 1 }];
      engine.getViewport(ids.fusion).setProperties({ colormap: { name: 'hsv', opacity, opacityMapping } }, ptVolumeId);
      engine.render();
    },
    /** The focal point (LPS mm) of the PET viewport: a point on the slice shown. */
    slicePosition() {
      const { focalPoint } = engine.getViewport(ids.pt).getCamera();
      return [focalPoint[0], focalPoint[1], focalPoint[2]];
    },
    /** Scrolls all viewports by delta slices. */
    scroll(delta) {
      csUtils.scroll(engine.getViewport(ids.pt), { delta, volumeId: ptVolumeId });
    },
    /**
     * Shows a lesion mask over PET and CT. origin: LPS mm of the box's first voxel; stepX/Y/Z: LPS mm per voxel index
     * along the box's columns, rows and slices; size: [width, height, depth]; mask: 1 byte per voxel, z-major then row
     * then column.
     */
    async showMask(origin, stepX, stepY, stepZ, size, mask) {
      await viewer.clearMask();
      const labelmapId = `${id}-mask`;
      const labelmap = await volumeLoader.createAndCacheDerivedLabelmapVolume(ptVolumeId, { volumeId: labelmapId });
      const [w, h, d] = size;
      const [nx, ny, nz] = labelmap.dimensions;
      let painted = 0;
      for (let z = 0; z < d; z++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            if (!mask[(z * h + y) * w + x]) {
              continue;
            }

            const world = [0, 1, 2].map((a) => origin[a] + x * stepX[a] + y * stepY[a] + z * stepZ[a]);
            const [i, j, k] = csUtils.transformWorldToIndex(labelmap.imageData, world);
            if (i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz) {
              labelmap.voxelManager.setAtIJK(i, j, k, 1);
              painted++;
            }
          }
        }
      }

      segmentationId = labelmapId;
      segmentation.addSegmentations([
        { segmentationId, representation: { type: ToolEnums.SegmentationRepresentations.Labelmap, data: { volumeId: labelmapId } } },
      ]);
      await segmentation.addLabelmapRepresentationToViewportMap({
        [ids.ct]: [{ segmentationId }],
        [ids.fusion]: [{ segmentationId }],
        [ids.pt]: [{ segmentationId }],
      });
      segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(segmentationId);
      engine.render();
      return painted;
    },
    async clearMask() {
      if (!segmentationId) {
        return;
      }

      const old = segmentationId;
      segmentationId = null;
      segmentation.removeSegmentation(old);
      cache.removeVolumeLoadObject(old);
      engine.render();
    },
    /** Tears everything down: listeners, annotations, segmentation, tools, synchroniser, viewports, caches, workers. */
    async destroy() {
      if (destroyed) {
        return;
      }

      destroyed = true;
      for (const off of listeners) {
        off();
      }

      await viewer.clearMask();
      if (box) {
        annotation.state.removeAnnotation(box);
      }

      SynchronizerManager.destroySynchronizer(syncId);
      ToolGroupManager.destroyToolGroup(toolGroupId);
      engine.destroy();
      for (const volumeId of [ctVolumeId, ptVolumeId]) {
        cache.removeVolumeLoadObject(volumeId);
      }

      for (const imageId of imageIds) {
        suvFactors.delete(imageId);
        dicomImageLoader.wadors.metaDataManager.remove(imageId);
        if (cache.getImageLoadObject(imageId)) {
          cache.removeImageLoadObject(imageId);
        }
      }

      viewers--;
      if (viewers === 0) {
        // Last viewer gone: the decode worker goes too (a new viewer starts it again on its first image).
        getWebWorkerManager().terminate('dicomImageLoader');
      }
    },
  };
  return viewer;
}

function waitLoaded(...volumes) {
  return new Promise((resolve) => {
    const check = () => {
      if (volumes.every((v) => v.loadStatus?.loaded)) {
        resolve();
      } else {
        setTimeout(check, 100);
      }
    };
    check();
  });
}

/** How many rendering engines are alive on the page (0 once every viewer is disposed); for tests. */
export function renderingEngineCount() {
  return getRenderingEngines()?.length ?? 0;
}
