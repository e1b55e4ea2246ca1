using Derby.Application.Learning;
using Derby.Application.Segmentation;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Derby.Web.Components.Viewer;

/// <summary>
/// One lesion's 2.5D pairs with the Grad-CAM maps of a trained network drawn over them (CT branch over the nearest CT
/// slice, PET branch over the PET crop). Crops and maps travel to the browser as bytes (0-255) and are drawn on canvases by
/// the collocated JS module.
/// </summary>
public sealed partial class GradCamPanel
{
    /// <summary>The lesion (accepted, with pairs).</summary>
    [Parameter, EditorRequired]
    public Guid LesionId { get; set; }

    /// <summary>The lesion's pair count: a change (pairs rebuilt) reloads the panel.</summary>
    [Parameter]
    public int PairCount { get; set; }

    /// <summary>The PET crop is shown from SUV 0 to this (the crop holds SUV 0-20 as 0-1: twice the contrast).</summary>
    private const string SuvTop = "10";

    private readonly CancellationTokenSource stop = new();
    private IJSObjectReference? module;
    private ElementReference ctCanvas;
    private ElementReference petCanvas;
    private LesionPairsView? pairs;
    private LesionGradCamView? maps;
    private List<string> versions = [];
    private string? version;
    private int index;
    private double opacity = 0.5;
    private bool showHeat = true;
    private int heatPixels;
    private int drawnPair = -1;
    private string? error;
    private (Guid Lesion, int Pairs)? loaded;
    private bool dirty;

    private PairCropView Pair => pairs!.Pairs[index];

    private bool HeatShown => showHeat && maps is not null;

    private bool FlatMaps => maps is not null && index < maps.Pet.Length && maps.Pet[index].All(v => v == 0) && maps.Ct[index].All(v => v == 0);

    protected override async Task OnParametersSetAsync()
    {
        if (loaded == (LesionId, PairCount))
        {
            return;
        }

        loaded = (LesionId, PairCount);
        try
        {
            var scope = await CurrentScope.GetAsync();
            pairs = await Lesions.GetPairsAsync(scope, LesionId, stop.Token);
            versions = [.. await Networks.GradCamVersionsAsync(scope, LesionId, stop.Token)];
            version = versions.FirstOrDefault();
            maps = version is null || pairs is null ? null : await Networks.GetLesionGradCamAsync(scope, LesionId, version, pairs.CropSize, stop.Token);
            // Start on the pair with the largest ROI: the one that weighs most in the vote.
            index = pairs is null || pairs.Pairs.Count == 0 ? 0 : pairs.Pairs.Select((p, i) => (p.RoiArea, i)).Max().i;
            error = null;
        }
        catch (InvalidDataException ex)
        {
            error = ex.Message;
            pairs = null;
        }

        dirty = true;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!dirty || pairs is not { Pairs.Count: > 0 })
        {
            return;
        }

        dirty = false;
        await DrawAsync();
    }

    private async Task VersionAsync(string value)
    {
        version = value;
        maps = pairs is null ? null : await Networks.GetLesionGradCamAsync(await CurrentScope.GetAsync(), LesionId, value, pairs.CropSize, stop.Token);
        dirty = true;
    }

    private Task PairAsync(int value)
    {
        index = Math.Clamp(value, 0, (pairs?.Pairs.Count ?? 1) - 1);
        dirty = true;
        return Task.CompletedTask;
    }

    private Task ShowHeatAsync(bool value)
    {
        showHeat = value;
        dirty = true;
        return Task.CompletedTask;
    }

    private Task OpacityAsync(double value)
    {
        opacity = value;
        dirty = true;
        return Task.CompletedTask;
    }

    private async Task DrawAsync()
    {
        try
        {
            module ??= await JS.InvokeAsync<IJSObjectReference>("import", stop.Token, "./Components/Viewer/GradCamPanel.razor.js");
            var drawing = index;
            var pair = Pair;
            var size = pairs!.CropSize;
            var plane = size * size;
            var heat = HeatShown && maps!.CropSize == size && index < maps.Pet.Length;
            var ct = await module.InvokeAsync<int>("draw", stop.Token, ctCanvas, size, Bytes(pair.Ct.AsSpan(plane, plane)), "grey",
                heat ? Bytes(maps!.Ct[index]) : null, opacity, pair.Mask);
            var pet = await module.InvokeAsync<int>("draw", stop.Token, petCanvas, size, Bytes(pair.Pet, 2), "inverted",
                heat ? Bytes(maps!.Pet[index]) : null, opacity, pair.Mask);
            heatPixels = ct + pet;
            drawnPair = drawing;
            StateHasChanged();
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone: nothing to draw on.
        }
        catch (OperationCanceledException)
        {
            // The page was left.
        }
    }

    /// <summary>[0, 1] values (times <paramref name="gain"/>) as bytes 0-255, clamped; NaN as 0.</summary>
    internal static byte[] Bytes(ReadOnlySpan<float> values, float gain = 1)
    {
        var bytes = new byte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            bytes[i] = float.IsNaN(v) ? (byte)0 : (byte)Math.Round(Math.Clamp(v * gain, 0f, 1f) * 255f);
        }

        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        stop.Dispose();
        if (module is not null)
        {
            try
            {
                await module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone with its modules.
            }
        }
    }
}
