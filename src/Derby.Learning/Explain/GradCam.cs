using TorchSharp;
using static TorchSharp.torch;

namespace Derby.Learning.Explain;

/// <summary>
/// Grad-CAM (Selvaraju et al. 2017): for a target convolutional layer, the channel weights are the spatially averaged
/// gradients of the class score with respect to the layer's activations; the map is the ReLU of the weighted sum of the
/// activation channels, upsampled bilinearly to the input size and scaled to [0, 1] per image (min to max).
/// The activations are captured with a forward hook on the target module, which must be invoked through
/// <c>call</c> (TorchSharp runs hooks only there; Derby's networks do). The hook hands the rest of the network a
/// detached copy that requires gradients, so its gradient is kept even where the network's parameters are frozen, and
/// the backward pass stops at the target layer.
/// </summary>
public static class GradCam
{
    /// <summary>
    /// Runs <paramref name="forward"/> once with hooks on every target layer, back-propagates the summed logit of
    /// <paramref name="classIndex"/>, and returns one map per target layer and image: result[target][image].
    /// </summary>
    /// <param name="module">The network; put in evaluation mode and its gradients cleared afterwards.</param>
    /// <param name="forward">Computes the logits N × classes with the network (hooks fire inside it).</param>
    /// <param name="targets">Target layers whose outputs are N × C × h × w.</param>
    /// <param name="classIndex">The class whose evidence is shown.</param>
    /// <param name="height">Input height: the maps are upsampled to it.</param>
    /// <param name="width">Input width.</param>
    /// <exception cref="InvalidOperationException">A target layer did not run during <paramref name="forward"/>.</exception>
    public static GradCamMap[][] Compute(
        nn.Module module,
        Func<Tensor> forward,
        IReadOnlyList<nn.Module<Tensor, Tensor>> targets,
        int classIndex,
        int height,
        int width)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(targets);
        using var scope = NewDisposeScope();
        using var gradients = enable_grad();
        module.eval();
        var captured = new Tensor?[targets.Count];
        var removers = new List<Action>();
        try
        {
            for (var t = 0; t < targets.Count; t++)
            {
                var index = t;
                var remover = targets[t].register_forward_hook((_, _, output) =>
                {
                    var leaf = output.detach().requires_grad_(true);
                    // The network's own dispose scopes free the returned handle on the way out; an alias (same native
                    // tensor, so the same gradient) kept outside every scope survives until this method frees it.
                    captured[index] = leaf.alias().DetachFromDisposeScope();
                    return leaf;
                });
                removers.Add(remover.remove);
            }

            var logits = forward();
            for (var t = 0; t < targets.Count; t++)
            {
                if (captured[t] is null)
                {
                    throw new InvalidOperationException($"Target layer {t} ({targets[t].GetName()}) did not run during the forward pass.");
                }
            }

            logits[.., classIndex].sum().backward();
            var result = new GradCamMap[targets.Count][];
            for (var t = 0; t < targets.Count; t++)
            {
                var activation = captured[t]!;
                var weights = activation.grad!.mean([2, 3], keepdim: true);
                var cam = nn.functional.relu((weights * activation).sum(1, keepdim: true));
                cam = nn.functional.interpolate(cam, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
                result[t] = Normalise(cam.detach().cpu(), height, width);
            }

            return result;
        }
        finally
        {
            foreach (var remove in removers)
            {
                remove();
            }

            foreach (var activation in captured)
            {
                activation?.Dispose();
            }

            module.zero_grad();
        }
    }

    private static GradCamMap[] Normalise(Tensor cam, int height, int width)
    {
        var n = (int)cam.shape[0];
        var values = cam.contiguous().data<float>().ToArray();
        var plane = height * width;
        var maps = new GradCamMap[n];
        for (var i = 0; i < n; i++)
        {
            var map = values.AsSpan(i * plane, plane).ToArray();
            var min = map.Min();
            var max = map.Max();
            var range = max - min;
            for (var j = 0; j < map.Length; j++)
            {
                // A flat map (no positive evidence, or a 1 × 1 activation) carries no location: all zero.
                map[j] = range > 1e-12f ? (map[j] - min) / range : 0f;
            }

            maps[i] = new GradCamMap(height, width, map);
        }

        return maps;
    }
}
