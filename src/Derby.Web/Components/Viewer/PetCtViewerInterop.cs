using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Derby.Web.Components.Viewer;

/// <summary>What the browser needs to load a PET/CT pair: where DICOMweb is, both series, and the PET's SUV factor.</summary>
/// <param name="WadoRoot">The DICOMweb root, relative to the page (e.g. "/dicomweb").</param>
/// <param name="Ct">The CT series.</param>
/// <param name="Pet">The PET series and its body-weight SUV per rescaled value.</param>
public sealed record PetCtViewerOptions(string WadoRoot, ViewerSeriesRef Ct, ViewerPetSeriesRef Pet);

/// <summary>A series by its study and series instance UIDs.</summary>
public sealed record ViewerSeriesRef(string Study, string Series);

/// <summary>The PET series and its SUV factor (1 shows rescaled values unchanged).</summary>
public sealed record ViewerPetSeriesRef(string Study, string Series, double SuvFactor);

/// <summary>Slices loaded of each series.</summary>
public sealed record ViewerLoaded(int CtSlices, int PetSlices);

/// <summary>
/// Typed calls into the viewer's JS module (Components/Viewer/PetCtViewer.razor.js) and the viewer object it creates.
/// Every call takes a <see cref="CancellationToken"/>; disposing tears the viewer down in the browser (rendering engine,
/// tools, synchroniser, caches, workers) and releases the module.
/// </summary>
public sealed class PetCtViewerInterop(IJSRuntime js) : IAsyncDisposable
{
    private IJSObjectReference? module;
    private IJSObjectReference? viewer;

    /// <summary>Creates the viewer in the three viewport elements; <paramref name="readout"/> receives the SUV under the cursor.</summary>
    public async Task CreateAsync<T>(ElementReference ct, ElementReference fusion, ElementReference pet, ElementReference readout,
        DotNetObjectReference<T> callbacks, PetCtViewerOptions options, CancellationToken cancellationToken) where T : class
    {
        module ??= await js.InvokeAsync<IJSObjectReference>("import", cancellationToken, "./Components/Viewer/PetCtViewer.razor.js");
        viewer = await module.InvokeAsync<IJSObjectReference>("create", cancellationToken, ct, fusion, pet, readout, callbacks, options);
    }

    /// <summary>Loads both series (metadata, then every frame) and shows them; null when the viewer was torn down meanwhile.</summary>
    public ValueTask<ViewerLoaded?> LoadAsync(CancellationToken cancellationToken) =>
        Viewer.InvokeAsync<ViewerLoaded?>("load", cancellationToken);

    /// <summary>CT window: "soft-tissue", "liver", "lung" or "bone".</summary>
    public ValueTask SetCtPresetAsync(string preset, CancellationToken cancellationToken) =>
        Viewer.InvokeVoidAsync("setCtPreset", cancellationToken, preset);

    /// <summary>PET range: "suv-0-5", "suv-0-10" or "suv-0-15".</summary>
    public ValueTask SetPetPresetAsync(string preset, CancellationToken cancellationToken) =>
        Viewer.InvokeVoidAsync("setPetPreset", cancellationToken, preset);

    /// <summary>Opacity of the PET colour map over CT in the fusion view, 0 to 1.</summary>
    public ValueTask SetFusionOpacityAsync(double opacity, CancellationToken cancellationToken) =>
        Viewer.InvokeVoidAsync("setFusionOpacity", cancellationToken, Math.Clamp(opacity, 0, 1));

    /// <summary>A point (LPS mm) on the slice shown.</summary>
    public ValueTask<double[]> GetSlicePositionAsync(CancellationToken cancellationToken) =>
        Viewer.InvokeAsync<double[]>("slicePosition", cancellationToken);

    /// <summary>Scrolls every viewport by <paramref name="slices"/> (negative: back).</summary>
    public ValueTask ScrollAsync(int slices, CancellationToken cancellationToken) =>
        Viewer.InvokeVoidAsync("scroll", cancellationToken, slices);

    /// <summary>
    /// Shows a mask over PET and CT: <paramref name="origin"/> is the box's first voxel (LPS mm), the steps are LPS mm per
    /// index along columns, rows and slices, <paramref name="size"/> is width, height, depth, and <paramref name="mask"/>
    /// holds one byte per voxel, z-major then row then column. Returns the voxels painted.
    /// </summary>
    public ValueTask<int> ShowMaskAsync(double[] origin, double[] stepX, double[] stepY, double[] stepZ, int[] size, byte[] mask,
        CancellationToken cancellationToken) =>
        Viewer.InvokeAsync<int>("showMask", cancellationToken, origin, stepX, stepY, stepZ, size, mask);

    /// <summary>Removes the mask overlay, if any.</summary>
    public ValueTask ClearMaskAsync(CancellationToken cancellationToken) => Viewer.InvokeVoidAsync("clearMask", cancellationToken);

    private IJSObjectReference Viewer => viewer ?? throw new InvalidOperationException("Create the viewer first");

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (viewer is not null)
            {
                await viewer.InvokeVoidAsync("destroy");
                await viewer.DisposeAsync();
            }

            if (module is not null)
            {
                await module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone (tab closed): so is the page and everything the viewer held.
        }
        finally
        {
            viewer = null;
            module = null;
        }
    }
}
