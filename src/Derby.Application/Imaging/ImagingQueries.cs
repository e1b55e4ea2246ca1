using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Domain;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Imaging;

/// <summary>What is stored of a patient's imaging, within the caller's scope.</summary>
public sealed class ImagingQueries(IDerbyDbContextFactory dbFactory)
{
    public async Task<IReadOnlyList<ImagingSeries>> SeriesOfAsync(AccessScope scope, Guid patientId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var siteId = await db.Patients.Where(p => p.Id == patientId).Select(p => (int?)p.SiteId).SingleOrDefaultAsync(cancellationToken);
        if (siteId is null || !scope.CanRead(siteId.Value))
        {
            throw new NotFoundException("No such patient");
        }

        var series = await db.ImagingSeries.AsNoTracking().Where(s => s.PatientId == patientId).ToListAsync(cancellationToken);
        return series.OrderBy(s => s.Modality).ThenBy(s => s.ReceivedUtc).ToList();
    }
}
