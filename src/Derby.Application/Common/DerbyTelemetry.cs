using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Derby.Application.Common;

/// <summary>
/// The app's own traces and metrics, under one name ("Derby") that the host's OpenTelemetry set-up listens to.
/// Static, like the framework's own sources: the use cases (uploads) and the job filter record into them without a
/// dependency, and a process that exports nothing pays only for a listener check.
/// </summary>
public static class DerbyTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and of the <see cref="Meter"/>.</summary>
    public const string Name = "Derby";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Job executions started, by <c>job.type</c> (class.method) and <c>job.queue</c>.</summary>
    public static readonly Counter<long> JobsStarted = Meter.CreateCounter<long>("derby.jobs.started", "{job}", "Job executions started");

    /// <summary>Job executions that ended without an exception.</summary>
    public static readonly Counter<long> JobsSucceeded = Meter.CreateCounter<long>("derby.jobs.succeeded", "{job}", "Job executions that succeeded");

    /// <summary>Job executions that ended with an exception (Hangfire may retry them).</summary>
    public static readonly Counter<long> JobsFailed = Meter.CreateCounter<long>("derby.jobs.failed", "{job}", "Job executions that failed");

    /// <summary>Duration of job executions in seconds, by type, queue and <c>job.outcome</c>.</summary>
    public static readonly Histogram<double> JobDuration = Meter.CreateHistogram<double>("derby.jobs.duration", "s", "Job execution duration");

    /// <summary>DICOM instances stored by accepted uploads (web form, API, STOW-RS, command line).</summary>
    public static readonly Counter<long> UploadInstances = Meter.CreateCounter<long>("derby.uploads.instances", "{instance}", "DICOM instances stored by uploads");

    /// <summary>Bytes of DICOM stored by accepted uploads.</summary>
    public static readonly Counter<long> UploadBytes = Meter.CreateCounter<long>("derby.uploads.bytes", "By", "DICOM bytes stored by uploads");

    /// <summary>Uploads handled, by <c>upload.outcome</c> (accepted, refused).</summary>
    public static readonly Counter<long> Uploads = Meter.CreateCounter<long>("derby.uploads", "{upload}", "Uploads handled");
}
