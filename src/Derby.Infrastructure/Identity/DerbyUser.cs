using Microsoft.AspNetCore.Identity;

namespace Derby.Infrastructure.Identity;

/// <summary>A staff account (coordinator, investigator, reviewer, admin). Patients never have accounts.</summary>
public sealed class DerbyUser : IdentityUser
{
}
