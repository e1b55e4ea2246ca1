using System.CommandLine;
using Derby.Application.Access;
using Derby.Application.Learning;
using Derby.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli.Commands;

/// <summary>
/// <c>derby network train|extract|gmm|list</c>: the network jobs run in the foreground (progress lines on standard error,
/// the model as JSON on standard output). Rerunning an interrupted command finishes the work without duplicating it.
/// </summary>
internal static class NetworkCommand
{
    public static Command Build()
    {
        var command = new Command("network", "Train the DERBY pair network, extract pair features, fit the Gaussian mixture (F_img)");
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Extract());
        command.Subcommands.Add(Gmm());
        command.Subcommands.Add(List());
        return command;
    }

    private static Command Train()
    {
        var cohort = new Option<string>("--cohort") { Description = "Code of the training cohort", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Most epochs (early stopping may end sooner)", DefaultValueFactory = _ => 30 };
        var crop = new Option<int>("--crop") { Description = "Crop size the network sees (pairs are resampled)", DefaultValueFactory = _ => 64 };
        var field = new Option<int>("--field")
        {
            Description = "Side of the centred window of the stored pairs the network sees, in their pixels (0: the whole crop)",
            DefaultValueFactory = _ => 0,
        };
        var auxiliary = new Option<double>("--auxiliary")
        {
            Description = "Weight of the self-supervised lesion-descriptor target learnt beside the response (0: off)",
            DefaultValueFactory = _ => 0,
        };
        var surroundings = new Option<bool>("--against-surroundings")
        {
            Description = "Show the network each pair against the lesion's surroundings (PET ratio, CT difference to the ring around it) instead of absolute SUV and HU",
        };
        var seed = new Option<long>("--seed") { Description = "Seed of weights, shuffling and validation split", DefaultValueFactory = _ => 42 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or auto", DefaultValueFactory = _ => "auto" };
        var batch = new Option<int>("--batch") { Description = "Pairs per step (0: the default, 32)", DefaultValueFactory = _ => 0 };
        var patience = new Option<int>("--patience") { Description = "Epochs without a better validation loss before stopping", DefaultValueFactory = _ => 5 };
        var noAugment = new Option<bool>("--no-augment") { Description = "Train on the pairs as they are, without turning or mirroring them" };
        var command = new Command("train", "Train a network on a training cohort's accepted lesions (foreground)") { cohort, epochs, crop, field, auxiliary, surroundings, seed, device, batch, patience, noAugment };
        command.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var networks = services.GetRequiredService<NetworkService>();
            var request = new TrainingRequest(Epochs: parse.GetValue(epochs), BatchSize: parse.GetValue(batch), Seed: parse.GetValue(seed),
                CropSize: parse.GetValue(crop), Device: parse.GetValue(device)!, Patience: parse.GetValue(patience),
                Augment: !parse.GetValue(noAugment), Field: parse.GetValue(field), Auxiliary: parse.GetValue(auxiliary),
                AgainstSurroundings: parse.GetValue(surroundings));
            var model = await networks.RequestTrainingAsync(AccessScope.System, parse.GetValue(cohort)!, request, token);
            await Console.Error.WriteLineAsync($"training {model.Version} on cohort {model.CohortCode}");
            await networks.RunTrainingAsync(model.Id, new ErrorLines(), token);
            model = await networks.GetAsync(AccessScope.System, model.Id, token);
            Json.Write(Summary(model));
            return model.Status == NetworkModelStatus.Trained ? 0 : 3;
        }, ct));
        return command;
    }

    private static Command Extract()
    {
        var version = new Option<string>("--version") { Description = "Network version (net-YYYYMMDD-HHMMSS)", Required = true };
        var command = new Command("extract", "Extract the 1024-d features of every pair set under a trained network (foreground)") { version };
        command.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var networks = services.GetRequiredService<NetworkService>();
            var model = await networks.GetAsync(AccessScope.System, parse.GetValue(version)!, token);
            await networks.RequestExtractionAsync(AccessScope.System, model.Id, token);
            await networks.ExtractFeaturesAsync(model.Id, new ErrorLines(), token);
            Json.Write(Summary(await networks.GetAsync(AccessScope.System, model.Id, token)));
            return 0;
        }, ct));
        return command;
    }

    private static Command Gmm()
    {
        var version = new Option<string>("--version") { Description = "Network version (net-YYYYMMDD-HHMMSS)", Required = true };
        var kMax = new Option<int>("--k-max") { Description = "Largest K tried (BIC over 1..K)", DefaultValueFactory = _ => 8 };
        var dimensions = new Option<int>("--dimensions")
        {
            Description = "Fit the mixture on this many principal components of the standardised features (0: on the features themselves)",
            DefaultValueFactory = _ => NetworkService.DefaultMixtureDimensions,
        };
        var command = new Command("gmm", "Fit the Gaussian mixture on the training cohort's features and store every pair's F_img (foreground)") { version, kMax, dimensions };
        command.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var networks = services.GetRequiredService<NetworkService>();
            var model = await networks.GetAsync(AccessScope.System, parse.GetValue(version)!, token);
            await networks.RequestMixtureAsync(AccessScope.System, model.Id, parse.GetValue(kMax), parse.GetValue(dimensions), token);
            await networks.FitMixtureAsync(model.Id, parse.GetValue(kMax), parse.GetValue(dimensions), new ErrorLines(), token);
            Json.Write(Summary(await networks.GetAsync(AccessScope.System, model.Id, token)));
            return 0;
        }, ct));
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List the network models");
        command.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var models = await services.GetRequiredService<NetworkService>().ListAsync(AccessScope.System, token);
            Json.Write(models.Select(Summary).ToList());
            return 0;
        }, ct));
        return command;
    }

    private static object Summary(NetworkModelView m) => new
    {
        m.Id,
        m.Version,
        Cohort = m.CohortCode,
        m.Status,
        m.Error,
        m.Settings,
        m.CurrentEpoch,
        m.TotalEpochs,
        m.BestEpoch,
        m.ValidationAuc,
        m.TrainingPatients,
        m.ValidationPatients,
        m.TrainingPairs,
        m.ValidationPairs,
        m.History,
        Checkpoint = m.CheckpointSha256,
        m.FeatureSets,
        m.PairSets,
        m.Mixture,
    };
}
