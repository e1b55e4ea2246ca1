using System.Text.Json;
using Derby.Application.Access;
using Derby.Application.Audit;
using Derby.Application.Patients;
using Derby.Domain;
using Derby.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Tests;

/// <summary>
/// The audit trail's hash chain: events written through the app are chained in order; direct edits, deletions and
/// insertions in the database are found by <c>derby audit verify</c> (a real child process), which names the first broken
/// link; concurrent writers keep one unbroken chain; events from before the chain are sealed once.
/// </summary>
public sealed class AuditChainTests
{
    private static async Task AddEventsAsync(StudyDatabase db, int count, string actor = "tester")
    {
        await using var ctx = db.Context();
        for (var i = 0; i < count; i++)
        {
            ctx.AuditEvents.Add(new AuditEvent { Actor = actor, Action = "test.event", OccurredUtc = DateTime.UtcNow, Details = JsonSerializer.Serialize(new { i }) });
            await ctx.SaveChangesAsync();
        }
    }

    private static async Task<AuditVerification> VerifyAsync(StudyDatabase db)
    {
        await using var ctx = db.Context();
        return await AuditChain.VerifyAsync(ctx);
    }

    [Fact]
    public async Task EventsWrittenByTheApp_AreChainedInOrder_AndTheChainVerifies()
    {
        await using var db = await StudyDatabase.CreateAsync();
        await db.Get<PatientService>().RegisterAsync(AccessScope.System, "ZSH", new PatientInput { Pseudonym = "ZSH-9001", TreatmentArm = TreatmentArm.FolfoxBevacizumab });
        await AddEventsAsync(db, 5);

        await using var ctx = db.Context();
        var events = await ctx.AuditEvents.OrderBy(e => e.Sequence).ToListAsync();
        Assert.True(events.Count >= 6);
        Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long?)i), events.Select(e => e.Sequence));
        Assert.Null(events[0].PreviousHash);
        for (var i = 1; i < events.Count; i++)
        {
            Assert.Equal(events[i - 1].Hash, events[i].PreviousHash);
            Assert.Equal(AuditChain.HashOf(events[i], i, events[i - 1].Hash), events[i].Hash);
        }

        var verdict = await VerifyAsync(db);
        Assert.True(verdict.Intact, verdict.Problem);
        Assert.Equal(events.Count, verdict.Events);
        Assert.Equal(events[^1].Hash, verdict.HeadHash);
    }

    [Fact]
    public async Task TheContext_RefusesToChangeOrDeleteAnEvent()
    {
        await using var db = await StudyDatabase.CreateAsync(withDemoStudy: false);
        await AddEventsAsync(db, 1);
        await using var ctx = db.Context();
        var e = await ctx.AuditEvents.FirstAsync();
        e.Details = "{}";
        Assert.Contains("append-only", (await Assert.ThrowsAsync<InvalidOperationException>(() => ctx.SaveChangesAsync())).Message);
        ctx.ChangeTracker.Clear();
        ctx.AuditEvents.Remove(await ctx.AuditEvents.FirstAsync());
        Assert.Contains("append-only", (await Assert.ThrowsAsync<InvalidOperationException>(() => ctx.SaveChangesAsync())).Message);
    }

    public static TheoryData<string, string, string> Tampering => new()
    {
        // What is done in the database directly (braces doubled: the text is a format string for ExecuteSqlRaw), which event the verdict points at (by its sequence), and what it says.
        { "UPDATE AuditEvents SET Details = '{{\"i\":99}}' WHERE Sequence = 4", "4", "was altered" },
        { "UPDATE AuditEvents SET Actor = 'someone-else' WHERE Sequence = 0", "0", "was altered" },
        { "DELETE FROM AuditEvents WHERE Sequence = 3", "3", "sequence 3 is missing" },
        { "DELETE FROM AuditEvents WHERE Sequence = 7", "7", "the newest 1 were deleted" },
        { "INSERT INTO AuditEvents (OccurredUtc, Actor, Action) VALUES ('2026-01-01 00:00:00', 'forger', 'test.event')", "", "has no place in the chain" },
        { "UPDATE AuditEvents SET Sequence = 100 + Sequence WHERE Sequence IN (5, 6); UPDATE AuditEvents SET Sequence = 11 - (Sequence - 100) WHERE Sequence >= 100", "5", "does not follow" },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task AuditVerify_FindsADirectEditDeletionOrInsertion_AndNamesTheFirstBrokenLink(string sql, string sequence, string problem)
    {
        await using var db = await StudyDatabase.CreateAsync(withDemoStudy: false);
        await AddEventsAsync(db, 8);
        var (code, stdout, stderr) = await Cli.RunAsync(db.DataDirectory, null, "audit", "verify");
        Assert.True(code == 0, stderr);
        Assert.True(JsonDocument.Parse(stdout).RootElement.GetProperty("intact").GetBoolean());

        await using (var ctx = db.Context())
        {
            await ctx.Database.ExecuteSqlRawAsync(sql);
        }

        (code, stdout, stderr) = await Cli.RunAsync(db.DataDirectory, null, "audit", "verify");
        Assert.Equal(4, code);
        var verdict = JsonDocument.Parse(stdout).RootElement;
        Assert.False(verdict.GetProperty("intact").GetBoolean());
        Assert.Contains(problem, verdict.GetProperty("problem").GetString());
        Assert.Contains(problem, stderr);
        if (sequence.Length > 0)
        {
            Assert.Equal(long.Parse(sequence, System.Globalization.CultureInfo.InvariantCulture), verdict.GetProperty("broken_at_sequence").GetInt64());
        }
    }

    [Fact]
    public async Task ASaveThatFails_ThenSucceedsOnTheSameContext_ChainsItsEventsOnce()
    {
        await using var db = await StudyDatabase.CreateAsync(withDemoStudy: false);
        await AddEventsAsync(db, 2);
        await using (var ctx = db.Context())
        {
            ctx.AuditEvents.Add(new AuditEvent { Actor = "tester", Action = "test.retried", OccurredUtc = DateTime.UtcNow });
            // A membership of a cohort and patient that do not exist: the foreign keys refuse the whole save.
            var orphan = new CohortMembership { CohortId = 987654, PatientId = Guid.NewGuid() };
            ctx.CohortMemberships.Add(orphan);
            await Assert.ThrowsAsync<DbUpdateException>(() => ctx.SaveChangesAsync());
            ctx.CohortMemberships.Remove(orphan);
            await ctx.SaveChangesAsync();
        }

        var verdict = await VerifyAsync(db);
        Assert.True(verdict.Intact, verdict.Problem);
        Assert.Equal(3, verdict.Events);
        await using var check = db.Context();
        Assert.Equal(2, await check.AuditEvents.Where(e => e.Action == "test.retried").Select(e => e.Sequence).SingleAsync());
    }

    [Fact]
    public async Task ConcurrentWriters_KeepOneUnbrokenChain()
    {
        await using var db = await StudyDatabase.CreateAsync(withDemoStudy: false);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(() => AddEventsAsync(db, 25, $"writer-{w}"))));

        var verdict = await VerifyAsync(db);
        Assert.True(verdict.Intact, verdict.Problem);
        await using var ctx = db.Context();
        Assert.Equal(100, await ctx.AuditEvents.CountAsync(e => e.Action == "test.event"));
        Assert.Equal(await ctx.AuditEvents.CountAsync(), verdict.Events);
    }

    [Fact]
    public async Task EventsFromBeforeTheChain_AreSealedOnce_AtTheNextStart()
    {
        await using var db = await StudyDatabase.CreateAsync(withDemoStudy: false);
        await using (var ctx = db.Context())
        {
            // As the database looked before the chain's migration: events without a place, an empty head.
            await ctx.Database.ExecuteSqlRawAsync(
                "INSERT INTO AuditEvents (OccurredUtc, Actor, Action, Details) VALUES ('2026-01-01 10:00:00', 'old', 'legacy.one', NULL), ('2026-01-02 10:00:00', 'old', 'legacy.two', '{{\"a\":1}}')");
        }

        Assert.False((await VerifyAsync(db)).Intact);
        await db.Get<DatabaseInitializer>().MigrateAsync();
        await db.Get<DatabaseInitializer>().MigrateAsync();

        await using var check = db.Context();
        Assert.Equal(["legacy.one", "legacy.two"], await check.AuditEvents.OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync());
        var verdict = await VerifyAsync(db);
        Assert.True(verdict.Intact, verdict.Problem);
        Assert.Equal(2, verdict.Events);
    }
}
