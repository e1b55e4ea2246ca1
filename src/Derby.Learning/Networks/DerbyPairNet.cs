using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Derby.Learning.Networks;

/// <summary>
/// The DERBY pair network (eClinicalMedicine 2023): one 2.5D PET/CT pair in, a 1024-d pair feature and responder
/// logits out.
/// <list type="bullet">
/// <item>PET branch: EfficientNet-B3 features with a 1-channel stem (the PET slice is one channel; a 1-channel stem
/// rather than repeating the slice 3 times, since no ImageNet weights are loaded), global average pooled → 1536.</item>
/// <item>CT branch: one ResNet-34 with a 1-channel stem applied to each of the 3 CT slices (shared weights: the slices
/// are the same kind of image), the three 512-channel maps concatenated along channels and fused by a 1×1 convolution
/// (with batch normalisation and ReLU) to 512 channels, global average pooled → 512.</item>
/// <item>Pair feature: the two vectors concatenated (2048) and projected by a linear layer to 1024 (before any
/// activation: the vector the GMM sees).</item>
/// <item>Head, for training: ReLU, dropout 0.3, linear 1024 → 2 (non-responder, responder).</item>
/// </list>
/// Inputs: PET N × 1 × S × S, CT N × 3 × S × S, values in [0, 1] (Derby.Imaging's pairs); S a multiple of 32.
/// </summary>
public sealed class DerbyPairNet : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Length of the pair feature.</summary>
    public const int FeatureSize = 1024;

    /// <summary>Classes of the head: 0 non-responder, 1 responder.</summary>
    public const int Classes = 2;

    /// <summary>CT slices per pair.</summary>
    public const int CtSlices = 3;

    private readonly EfficientNet pet;
    private readonly ResNet34 ct;
    private readonly ConvNormActivation ct_fusion;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Linear projection;
    private readonly ReLU head_activation;
    private readonly Dropout head_dropout;
    private readonly Linear head;

    /// <summary>Creates the network with LibTorch's current random state; see <see cref="Create"/> for a seeded one.</summary>
    public DerbyPairNet()
        : base(nameof(DerbyPairNet))
    {
        pet = new EfficientNet(EfficientNetConfig.B3, inputChannels: 1);
        ct = new ResNet34(inputChannels: 1);
        ct_fusion = new ConvNormActivation(CtSlices * ResNet34.FeatureChannels, ResNet34.FeatureChannels, 1, activation: Activation.ReLU);
        avgpool = nn.AdaptiveAvgPool2d(1);
        projection = nn.Linear(pet.FeatureChannels + ResNet34.FeatureChannels, FeatureSize);
        head_activation = nn.ReLU();
        head_dropout = nn.Dropout(EfficientNetConfig.B3.Dropout);
        head = nn.Linear(FeatureSize, Classes);
        RegisterComponents();
    }

    /// <summary>Length of the PET branch vector (1536).</summary>
    public long PetFeatureSize => pet.FeatureChannels;

    /// <summary>Length of the CT branch vector (512).</summary>
    public static long CtFeatureSize => ResNet34.FeatureChannels;

    /// <summary>The PET branch's Grad-CAM target: EfficientNet's last stage (the 1×1 head convolution).</summary>
    public nn.Module<Tensor, Tensor> PetTargetLayer => pet.Head;

    /// <summary>The CT branch's Grad-CAM target: the 1×1 fusion of the three slices' maps.</summary>
    public nn.Module<Tensor, Tensor> CtTargetLayer => ct_fusion;

    /// <summary>The PET branch on its own (EfficientNet-B3 features); for shape checks.</summary>
    public EfficientNet PetNetwork => pet;

    /// <summary>The CT slice network shared by the 3 slices; for shape checks.</summary>
    public ResNet34 CtNetwork => ct;

    /// <summary>Seeds LibTorch's global generator with <paramref name="seed"/> and creates the network: same seed, same weights.</summary>
    public static DerbyPairNet Create(long seed)
    {
        Runtime.TorchRuntime.EnsureLoaded();
        random.manual_seed(seed);
        return new DerbyPairNet();
    }

    /// <summary>Loads weights and batch-norm statistics written by <see cref="Save"/> (TorchSharp's format) into a new network.</summary>
    /// <param name="path">The weights file.</param>
    /// <param name="seed">Seeds the throw-away initialisation before loading (keeps LibTorch's generator reproducible).</param>
    public static DerbyPairNet Load(string path, long seed = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var network = Create(seed);
        network.load(path);
        network.eval();
        return network;
    }

    /// <summary>Writes the weights and batch-norm statistics (TorchSharp's format, not PyTorch's pickle).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        save(path);
    }

    /// <summary>PET branch vector, N × 1536.</summary>
    public Tensor PetBranch(Tensor petImages)
    {
        using var scope = NewDisposeScope();
        CheckInput(petImages, 1, nameof(petImages));
        return avgpool.call(pet.ForwardFeatureMaps(petImages)).flatten(1).MoveToOuterDisposeScope();
    }

    /// <summary>CT fused feature maps, N × 512 × S/32 × S/32: the shared ResNet-34 on each slice, concatenated, 1×1 fusion.</summary>
    public Tensor CtFusedMaps(Tensor ctImages)
    {
        using var scope = NewDisposeScope();
        CheckInput(ctImages, CtSlices, nameof(ctImages));
        var n = ctImages.shape[0];
        // The 3 slices of every pair as 3N one-channel images through one network (shared weights), then back to N pairs
        // with the slices' maps side by side along channels: slice-major within a pair, as the channel order of the input.
        var maps = ct.ForwardFeatureMaps(ctImages.reshape(n * CtSlices, 1, ctImages.shape[2], ctImages.shape[3]));
        var stacked = maps.reshape(n, CtSlices * maps.shape[1], maps.shape[2], maps.shape[3]);
        return ct_fusion.call(stacked).MoveToOuterDisposeScope();
    }

    /// <summary>CT branch vector, N × 512.</summary>
    public Tensor CtBranch(Tensor ctImages)
    {
        using var scope = NewDisposeScope();
        return avgpool.call(CtFusedMaps(ctImages)).flatten(1).MoveToOuterDisposeScope();
    }

    /// <summary>The 1024-d pair features, N × 1024.</summary>
    public Tensor Features(Tensor petImages, Tensor ctImages)
    {
        ArgumentNullException.ThrowIfNull(petImages);
        ArgumentNullException.ThrowIfNull(ctImages);
        using var scope = NewDisposeScope();
        if (petImages.shape[0] != ctImages.shape[0])
        {
            throw new ArgumentException($"{petImages.shape[0]} PET images but {ctImages.shape[0]} CT triplets.", nameof(ctImages));
        }

        var joined = cat([PetBranch(petImages), CtBranch(ctImages)], 1);
        return projection.call(joined).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The head on stored pair features (N × 1024): the responder probability of each row (softmax), with dropout off and no
    /// gradients, as <see cref="forward"/> gives them in evaluation mode.
    /// </summary>
    public float[] ResponderProbabilities(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2 || features.shape[1] != FeatureSize)
        {
            throw new ArgumentException($"Features must be N × {FeatureSize}, not [{string.Join(", ", features.shape)}].", nameof(features));
        }

        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var training = this.training;
        head_dropout.eval();
        try
        {
            var logits = head.call(head_activation.call(features));
            return nn.functional.softmax(logits, 1)[.., 1].to(float32).cpu().data<float>().ToArray();
        }
        finally
        {
            if (training)
            {
                head_dropout.train();
            }
        }
    }

    /// <summary>Logits N × 2 (non-responder, responder).</summary>
    public override Tensor forward(Tensor input1, Tensor input2) => ForwardWithFeatures(input1, input2).Logits;

    /// <summary>The logits (N × 2) and the pair features they come from (N × 1024), in one pass.</summary>
    public (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor petImages, Tensor ctImages)
    {
        using var scope = NewDisposeScope();
        var features = Features(petImages, ctImages);
        var logits = head.call(head_dropout.call(head_activation.call(features)));
        return (logits.MoveToOuterDisposeScope(), features.MoveToOuterDisposeScope());
    }

    private static void CheckInput(Tensor images, long channels, string name)
    {
        ArgumentNullException.ThrowIfNull(images, name);
        if (images.dim() != 4 || images.shape[1] != channels || images.shape[2] % 32 != 0 || images.shape[3] % 32 != 0 || images.shape[2] == 0)
        {
            throw new ArgumentException(
                $"Expected N × {channels} × S × S with S a positive multiple of 32; got {string.Join(" × ", images.shape)}.", name);
        }
    }
}
