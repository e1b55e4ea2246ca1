using Derby.Domain;

namespace Derby.Web.Components.Shared;

/// <summary>Display names of the domain's codes.</summary>
public static class Labels
{
    public static string Arm(TreatmentArm arm) => arm switch
    {
        TreatmentArm.FolfoxBevacizumab => "FOLFOX + bevacizumab",
        TreatmentArm.FolfoxAlone => "FOLFOX alone",
        _ => arm.ToString(),
    };

    public static string Response(RecistResponse r) => r switch
    {
        RecistResponse.CompleteResponse => "CR",
        RecistResponse.PartialResponse => "PR",
        RecistResponse.StableDisease => "SD",
        RecistResponse.ProgressiveDisease => "PD",
        _ => r.ToString(),
    };
}
