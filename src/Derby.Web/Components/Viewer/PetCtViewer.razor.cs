using Derby.Domain;
using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Derby.Web.Components.Viewer;

/// <summary>
/// A patient's PET and CT side by side and fused (CT grey, PET in a colour map with adjustable opacity), PET in SUV,
/// linked scrolling, window/level presets, the SUV under the cursor, and a box tool for lesions: a rectangle drawn on an
/// axial slice plus its first and last slices give <see cref="OnBoxDrawn"/> a box of PET voxel indices. Masks in PET
/// voxels are shown over both series with <see cref="ShowMaskAsync"/>. Images come from the app's DICOMweb endpoints under
/// the user's session. Leaving the page tears down everything the viewer holds in the browser.
/// </summary>
public sealed partial class PetCtViewer : ComponentBase, IAsyncDisposable
{
    private static readonly (string Key, string Label)[] CtPresets =
        [("soft-tissue", "Soft tissue"), ("liver", "Liver"), ("lung", "Lung"), ("bone", "Bone")];

    private static readonly (string Key, string Label)[] PetPresets =
        [("suv-0-5", "SUV 0–5"), ("suv-0-10", "SUV 0–10"), ("suv-0-15", "SUV 0–15")];

    private readonly CancellationTokenSource disposed = new();
    private PetCtViewerInterop? interop;
    private DotNetObjectReference<PetCtViewer>? self;
    private ElementReference ctElement;
    private ElementReference fusionElement;
    private ElementReference petElement;
    private ElementReference readout;
    private string state = "loading";
    private string? error;
    private double opacity = 0.5;
    private double[][]? corners;
    private double[]? firstSlice;
    private double[]? lastSlice;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    /// <summary>The PET series to show (its SUV factor scales values to SUV; none shows rescaled values). Required.</summary>
    [Parameter, EditorRequired]
    public ImagingSeries Pet { get; set; } = default!;

    /// <summary>The CT series to show under the PET. Required.</summary>
    [Parameter, EditorRequired]
    public ImagingSeries Ct { get; set; } = default!;

    /// <summary>The PET series' grid (as <see cref="SeriesAssembler"/> gives it): boxes and masks are in its voxel indices. Required.</summary>
    [Parameter, EditorRequired]
    public SeriesGeometry PetGeometry { get; set; } = default!;

    /// <summary>The DICOMweb root the browser loads images from. Default: "/dicomweb".</summary>
    [Parameter]
    public string WadoRoot { get; set; } = "/dicomweb";

    /// <summary>Raised with the box in PET voxel indices whenever a rectangle is drawn or its first or last slice is set. Default: none.</summary>
    [Parameter]
    public EventCallback<VoxelBox> OnBoxDrawn { get; set; }

    /// <summary>The latest box, in PET voxel indices; null before one is drawn.</summary>
    public VoxelBox? Box { get; private set; }

    private bool Ready => state == "ready";

    /// <summary>Shows <paramref name="mask"/> (a LesionMask's values over <paramref name="box"/>, PET voxels) over PET and CT; returns the voxels shown.</summary>
    public async Task<int> ShowMaskAsync(VoxelBox box, byte[] mask, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mask);
        box.Validate(PetGeometry.Columns, PetGeometry.Rows, PetGeometry.Slices);
        if (mask.LongLength != box.Count)
        {
            throw new ArgumentException($"A mask of box {box} needs {box.Count} values, not {mask.LongLength}", nameof(mask));
        }

        var origin = SeriesGeometryMath.VoxelToWorld(PetGeometry, box.X0, box.Y0, box.Z0);
        double[] Step(double dx, double dy, double dz)
        {
            var p = SeriesGeometryMath.VoxelToWorld(PetGeometry, box.X0 + dx, box.Y0 + dy, box.Z0 + dz);
            return [p[0] - origin[0], p[1] - origin[1], p[2] - origin[2]];
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposed.Token);
        return await Interop.ShowMaskAsync(origin, Step(1, 0, 0), Step(0, 1, 0), Step(0, 0, 1), [box.Width, box.Height, box.Depth], mask, linked.Token);
    }

    /// <summary>Removes the mask overlay, if any.</summary>
    public async Task ClearMaskAsync(CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposed.Token);
        await Interop.ClearMaskAsync(linked.Token);
    }

    /// <summary>Called by the viewer's JS when a rectangle is drawn: its four corners, LPS mm.</summary>
    [JSInvokable]
    public async Task OnBoxFromJs(double[][] rectangleCorners)
    {
        corners = rectangleCorners;
        firstSlice = null;
        lastSlice = null;
        await RaiseBoxAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        interop = new PetCtViewerInterop(JS);
        self = DotNetObjectReference.Create(this);
        try
        {
            var options = new PetCtViewerOptions(WadoRoot,
                new ViewerSeriesRef(Ct.StudyInstanceUid ?? "", Ct.SeriesInstanceUid),
                new ViewerPetSeriesRef(Pet.StudyInstanceUid ?? "", Pet.SeriesInstanceUid, Pet.SuvFactor ?? 1));
            await interop.CreateAsync(ctElement, fusionElement, petElement, readout, self, options, disposed.Token);
            var loaded = await interop.LoadAsync(disposed.Token);
            if (loaded is null)
            {
                return;
            }

            state = "ready";
        }
        catch (JSException ex)
        {
            state = "error";
            error = "The images could not be shown: " + ex.Message;
        }
        catch (Exception ex) when (ex is OperationCanceledException or JSDisconnectedException or ObjectDisposedException)
        {
            return;
        }

        StateHasChanged();
    }

    private PetCtViewerInterop Interop => interop ?? throw new InvalidOperationException("The viewer is not rendered yet");

    private async Task RaiseBoxAsync()
    {
        if (corners is null)
        {
            return;
        }

        var flat = SeriesGeometryMath.BoxAround(PetGeometry, corners);
        int SliceOf(double[]? point, int fallback) => point is null
            ? fallback
            : Math.Clamp((int)Math.Round(SeriesGeometryMath.WorldToVoxel(PetGeometry, point).Z, MidpointRounding.AwayFromZero), 0, PetGeometry.Slices - 1);
        var z0 = SliceOf(firstSlice, flat.Z0);
        var z1 = SliceOf(lastSlice, flat.Z1);
        Box = flat with { Z0 = Math.Min(z0, z1), Z1 = Math.Max(z0, z1) };
        await OnBoxDrawn.InvokeAsync(Box.Value);
        StateHasChanged();
    }

    private async Task SetSliceAsync(bool first)
    {
        var position = await Interop.GetSlicePositionAsync(disposed.Token);
        if (first)
        {
            firstSlice = position;
        }
        else
        {
            lastSlice = position;
        }

        await RaiseBoxAsync();
    }

    private Task CtPresetAsync(string key) => Interop.SetCtPresetAsync(key, disposed.Token).AsTask();

    private Task PetPresetAsync(string key) => Interop.SetPetPresetAsync(key, disposed.Token).AsTask();

    private async Task OpacityAsync(double value)
    {
        opacity = value;
        await Interop.SetFusionOpacityAsync(value, disposed.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await disposed.CancelAsync();
        if (interop is not null)
        {
            await interop.DisposeAsync();
        }

        self?.Dispose();
        disposed.Dispose();
    }
}
