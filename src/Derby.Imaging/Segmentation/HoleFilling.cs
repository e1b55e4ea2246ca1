namespace Derby.Imaging.Segmentation;

/// <summary>Which voxels enclosed by the grown region are added to it (necrotic cores have low uptake but are lesion).</summary>
public enum HoleFilling
{
    /// <summary>The grown region as it is.</summary>
    None,

    /// <summary>3D cavities: voxels of the box not 6-connected to the box's border through voxels outside the region.</summary>
    Volume,

    /// <summary>
    /// 3D cavities, then, on each slice, 2D holes (not 4-connected to the slice's border): also closes a core opened on the
    /// box's first or last slice (a cut across slices) or through a rim cap thinner than a slice.
    /// </summary>
    VolumeAndSlices,
}
