namespace Derby.Learning.Forest;

/// <summary>The distance between two rows (or two columns) that <see cref="HierarchicalClustering"/> clusters on.</summary>
public enum ClusterDistance
{
    /// <summary>Euclidean distance (scipy's <c>pdist(metric="euclidean")</c>).</summary>
    Euclidean,

    /// <summary>One minus Pearson's correlation (scipy's <c>pdist(metric="correlation")</c>), in [0, 2].</summary>
    Correlation,
}

/// <summary>One merge of a dendrogram, as a row of scipy's linkage matrix.</summary>
/// <param name="Left">The smaller id of the two clusters merged: ids below n are the items, n + i the cluster made by merge i.</param>
/// <param name="Right">The larger id.</param>
/// <param name="Height">The average-linkage distance between the two.</param>
/// <param name="Size">Items in the merged cluster.</param>
public sealed record ClusterMerge(int Left, int Right, double Height, int Size);

/// <summary>The result of agglomerative clustering.</summary>
/// <param name="Merges">n − 1 merges in order of increasing height (scipy's linkage matrix).</param>
/// <param name="LeafOrder">The items in dendrogram order (scipy's <c>leaves_list</c>): the row or column order of a clustered heatmap.</param>
public sealed record Dendrogram(IReadOnlyList<ClusterMerge> Merges, IReadOnlyList<int> LeafOrder);

/// <summary>
/// Agglomerative clustering with average linkage (UPGMA), for the clustered heatmap of deep features (the paper's
/// Fig. 3C): rows (patients or pairs) and, separately, columns (features). Follows scipy's
/// <c>linkage(method="average")</c>: the nearest-neighbour-chain algorithm, merges stably sorted by height, then
/// relabelled (smaller id first), so the merge list and <c>leaves_list</c> are scipy's. O(n²) memory and time per merge
/// chain step (a few thousand items are fine).
/// </summary>
public static class HierarchicalClustering
{
    /// <summary>Clusters the rows of <paramref name="matrix"/> (each row an item, the columns its coordinates).</summary>
    public static Dendrogram ClusterRows(double[,] matrix, ClusterDistance distance = ClusterDistance.Euclidean)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var items = new double[matrix.GetLength(0)][];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = new double[matrix.GetLength(1)];
            for (var j = 0; j < items[i].Length; j++)
            {
                items[i][j] = matrix[i, j];
            }
        }

        return Cluster(items, distance);
    }

    /// <summary>Clusters the columns of <paramref name="matrix"/> (each column an item).</summary>
    public static Dendrogram ClusterColumns(double[,] matrix, ClusterDistance distance = ClusterDistance.Euclidean)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var items = new double[matrix.GetLength(1)][];
        for (var j = 0; j < items.Length; j++)
        {
            items[j] = new double[matrix.GetLength(0)];
            for (var i = 0; i < items[j].Length; i++)
            {
                items[j][i] = matrix[i, j];
            }
        }

        return Cluster(items, distance);
    }

    /// <summary>Clusters the given items (equal-length coordinate vectors).</summary>
    /// <exception cref="ArgumentException">Fewer than 2 items, ragged or non-finite coordinates, or a constant item under correlation distance.</exception>
    public static Dendrogram Cluster(IReadOnlyList<double[]> items, ClusterDistance distance = ClusterDistance.Euclidean)
    {
        ArgumentNullException.ThrowIfNull(items);
        var n = items.Count;
        if (n < 2)
        {
            throw new ArgumentException($"Clustering needs at least 2 items; got {n}.", nameof(items));
        }

        var d = items[0].Length;
        for (var i = 0; i < n; i++)
        {
            if (items[i].Length != d)
            {
                throw new ArgumentException($"Item {i} has {items[i].Length} coordinates; item 0 has {d}.", nameof(items));
            }

            if (items[i].Any(v => !double.IsFinite(v)))
            {
                throw new ArgumentException($"Item {i} has a value that is not a finite number.", nameof(items));
            }
        }

        var distances = Distances(items, distance);
        return Linkage(distances, n);
    }

    private static double[] Distances(IReadOnlyList<double[]> items, ClusterDistance distance)
    {
        var n = items.Count;
        var vectors = items;
        if (distance == ClusterDistance.Correlation)
        {
            var centred = new double[n][];
            for (var i = 0; i < n; i++)
            {
                var mean = items[i].Average();
                centred[i] = items[i].Select(v => v - mean).ToArray();
                if (centred[i].All(v => v == 0))
                {
                    throw new ArgumentException($"Item {i} is constant; its correlation with the others is undefined.", nameof(items));
                }
            }

            vectors = centred;
        }

        var condensed = new double[n * (n - 1) / 2];
        Parallel.For(0, n - 1, i =>
        {
            var u = vectors[i];
            var offset = Index(n, i, i + 1);
            for (var j = i + 1; j < n; j++)
            {
                var v = vectors[j];
                double value;
                if (distance == ClusterDistance.Euclidean)
                {
                    var sum = 0.0;
                    for (var k = 0; k < u.Length; k++)
                    {
                        var diff = u[k] - v[k];
                        sum += diff * diff;
                    }

                    value = Math.Sqrt(sum);
                }
                else
                {
                    double uv = 0, uu = 0, vv = 0;
                    for (var k = 0; k < u.Length; k++)
                    {
                        uv += u[k] * v[k];
                        uu += u[k] * u[k];
                        vv += v[k] * v[k];
                    }

                    value = Math.Max(0.0, 1.0 - uv / Math.Sqrt(uu * vv));
                }

                condensed[offset + j - i - 1] = value;
            }
        });
        return condensed;
    }

    // Position of the pair (i, j), i < j, in a condensed distance vector (scipy's ordering).
    private static int Index(int n, int i, int j)
    {
        if (i > j)
        {
            (i, j) = (j, i);
        }

        return n * i - i * (i + 1) / 2 + (j - i - 1);
    }

    private static Dendrogram Linkage(double[] distances, int n)
    {
        var size = Enumerable.Repeat(1, n).ToArray();
        var chain = new int[n];
        var chainLength = 0;
        var raw = new (int X, int Y, double Height, int Size)[n - 1];
        for (var k = 0; k < n - 1; k++)
        {
            if (chainLength == 0)
            {
                chainLength = 1;
                chain[0] = Array.FindIndex(size, s => s > 0);
            }

            int x, y = -1;
            double currentMin;
            while (true)
            {
                x = chain[chainLength - 1];
                if (chainLength > 1)
                {
                    y = chain[chainLength - 2];
                    currentMin = distances[Index(n, x, y)];
                }
                else
                {
                    currentMin = double.PositiveInfinity;
                }

                for (var i = 0; i < n; i++)
                {
                    if (size[i] == 0 || i == x)
                    {
                        continue;
                    }

                    var dist = distances[Index(n, x, i)];
                    if (dist < currentMin)
                    {
                        currentMin = dist;
                        y = i;
                    }
                }

                if (chainLength > 1 && y == chain[chainLength - 2])
                {
                    break;
                }

                chain[chainLength++] = y;
            }

            chainLength -= 2;
            if (x > y)
            {
                (x, y) = (y, x);
            }

            var nx = size[x];
            var ny = size[y];
            raw[k] = (x, y, currentMin, nx + ny);
            size[x] = 0;
            size[y] = nx + ny;
            for (var i = 0; i < n; i++)
            {
                var ni = size[i];
                if (ni == 0 || i == y)
                {
                    continue;
                }

                distances[Index(n, i, y)] = (nx * distances[Index(n, i, x)] + ny * distances[Index(n, i, y)]) / (nx + ny);
            }
        }

        // Stable sort by height (scipy: argsort kind="mergesort"), then relabel with a union-find.
        var sorted = raw.Select((m, i) => (m, i)).OrderBy(t => t.m.Height).ThenBy(t => t.i).Select(t => t.m).ToArray();
        var parent = Enumerable.Range(0, 2 * n - 1).ToArray();
        var clusterSize = new int[2 * n - 1];
        Array.Fill(clusterSize, 1, 0, n);
        var merges = new ClusterMerge[n - 1];
        for (var i = 0; i < n - 1; i++)
        {
            var a = Find(parent, sorted[i].X);
            var b = Find(parent, sorted[i].Y);
            var label = n + i;
            parent[a] = label;
            parent[b] = label;
            clusterSize[label] = clusterSize[a] + clusterSize[b];
            merges[i] = new ClusterMerge(Math.Min(a, b), Math.Max(a, b), sorted[i].Height, clusterSize[label]);
        }

        return new Dendrogram(merges, LeafOrder(merges, n));
    }

    private static int Find(int[] parent, int x)
    {
        var root = x;
        while (parent[root] != root)
        {
            root = parent[root];
        }

        while (parent[x] != root)
        {
            (x, parent[x]) = (parent[x], root);
        }

        return root;
    }

    // Depth-first from the root, left (smaller id) before right: scipy's leaves_list.
    private static int[] LeafOrder(ClusterMerge[] merges, int n)
    {
        var order = new List<int>(n);
        var stack = new Stack<int>();
        stack.Push(2 * n - 2);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node < n)
            {
                order.Add(node);
                continue;
            }

            var merge = merges[node - n];
            stack.Push(merge.Right);
            stack.Push(merge.Left);
        }

        return order.ToArray();
    }
}
