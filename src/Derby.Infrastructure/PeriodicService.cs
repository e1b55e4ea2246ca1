using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Derby.Infrastructure;

/// <summary>
/// A housekeeping task run in the background at start and then every <see cref="Interval"/> until the host stops. A
/// failed round is logged as a warning and tried again next time; it never stops the host.
/// </summary>
public abstract class PeriodicService(ILogger logger) : BackgroundService
{
    /// <summary>Time between the end of one round and the start of the next.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>What a round does, for the warning when one fails ("looking for ...").</summary>
    protected abstract string Activity { get; }

    /// <summary>One round.</summary>
    protected abstract void RunOnce();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                RunOnce();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "{Activity} failed; trying again in {Interval}", Activity, Interval);
            }

            try
            {
                await Task.Delay(Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
