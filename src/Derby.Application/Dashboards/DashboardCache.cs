using System.Collections.Concurrent;

namespace Derby.Application.Dashboards;

/// <summary>
/// The computed dashboards of the current data version, one per filter, shared by every circuit and request (a
/// singleton). A new data version drops the older ones; the statistics are computed once per change, never per render.
/// </summary>
public sealed class DashboardCache
{
    private readonly ConcurrentDictionary<(string Version, DashboardFilter Filter), Lazy<Task<StudyDashboard>>> entries = new();

    /// <summary>Times a dashboard was computed (for tests and logs).</summary>
    public int Computations => computations;

    private int computations;

    /// <summary>The cached dashboard of this data version and filter, computing it once if absent.</summary>
    public async Task<StudyDashboard> GetOrAddAsync(string dataVersion, DashboardFilter filter, Func<Task<StudyDashboard>> compute)
    {
        foreach (var key in entries.Keys.Where(k => k.Version != dataVersion))
        {
            entries.TryRemove(key, out _);
        }

        var key2 = (dataVersion, filter);
        var lazy = entries.GetOrAdd(key2, _ => new Lazy<Task<StudyDashboard>>(() =>
        {
            Interlocked.Increment(ref computations);
            return compute();
        }));
        try
        {
            return await lazy.Value;
        }
        catch
        {
            entries.TryRemove(new KeyValuePair<(string, DashboardFilter), Lazy<Task<StudyDashboard>>>(key2, lazy));
            throw;
        }
    }
}
