namespace Derby.Synthetic.Phantom;

/// <summary>
/// A regular grid in patient coordinates (LPS, mm), axis-aligned with the image: voxel (i, j, k) has its centre at
/// (X0 + i·Dx, Y0 + j·Dy, Z0 + k·Dz). Column index i runs along x, row index j along y, slice index k along z.
/// </summary>
public sealed record VolumeGrid(int Nx, int Ny, int Nz, double Dx, double Dy, double Dz, double X0, double Y0, double Z0)
{
    public int Count => Nx * Ny * Nz;

    public double X(int i) => X0 + i * Dx;

    public double Y(int j) => Y0 + j * Dy;

    public double Z(int k) => Z0 + k * Dz;

    public int Index(int i, int j, int k) => (k * Ny + j) * Nx + i;

    /// <summary>Calls <paramref name="body"/> with each voxel's index and centre (x, y, z), slices in parallel.</summary>
    public void ForEachVoxel(Action<int, double, double, double> body) => Parallel.For(0, Nz, k =>
    {
        var z = Z(k);
        for (var j = 0; j < Ny; j++)
        {
            var y = Y(j);
            for (var i = 0; i < Nx; i++)
            {
                body(Index(i, j, k), X(i), y, z);
            }
        }
    });

    /// <summary>A grid of <paramref name="matrix"/>² pixels over a square field of view centred on x = y = 0, over [zMin, zMin + extent).</summary>
    public static VolumeGrid Centered(int matrix, double fieldOfViewMm, double sliceMm, double zMin, double extentMm)
    {
        var pixel = fieldOfViewMm / matrix;
        var slices = (int)Math.Floor(extentMm / sliceMm);
        var origin = -fieldOfViewMm / 2 + pixel / 2;
        return new VolumeGrid(matrix, matrix, slices, pixel, pixel, sliceMm, origin, origin, zMin + sliceMm / 2);
    }
}
