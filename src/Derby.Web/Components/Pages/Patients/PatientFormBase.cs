using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Patients;
using Derby.Web.Components.Shared;
using Derby.Web.Security;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Derby.Web.Components.Pages.Patients;

/// <summary>
/// One of the patient page's forms: checks the same rules as the import and the API before saving, and shows each
/// field's reason beside it. The service checks again on save, so a form cannot be bypassed.
/// </summary>
public abstract class PatientFormBase<TInput> : ComponentBase where TInput : class, new()
{
    /// <summary>The patient whose data the form edits. Required.</summary>
    [Parameter, EditorRequired]
    public Guid PatientId { get; set; }

    /// <summary>The values to start from. Default: an empty form.</summary>
    [Parameter]
    public TInput? Initial { get; set; }

    /// <summary>Shows the values without letting them change. Default: false.</summary>
    [Parameter]
    public bool ReadOnly { get; set; }

    [Inject]
    protected PatientService Patients { get; set; } = default!;

    [Inject]
    protected CurrentScope CurrentScope { get; set; } = default!;

    [Inject]
    protected ISnackbar Snackbar { get; set; } = default!;

    protected TInput Model { get; private set; } = new();

    protected FieldErrors Errors { get; } = new();

    protected bool Busy { get; private set; }

    protected override void OnParametersSet() => Model = Initial ?? new TInput();

    protected abstract List<FieldError> Validate(TInput model);

    protected abstract Task SaveCoreAsync(AccessScope scope, TInput model);

    protected async Task SaveAsync()
    {
        Errors.Set(Validate(Model));
        if (Errors.Any)
        {
            return;
        }

        Busy = true;
        try
        {
            await SaveCoreAsync(await CurrentScope.GetAsync(), Model);
            Snackbar.Add("Saved", Severity.Success);
        }
        catch (ValidationFailedException ex)
        {
            Errors.Set(ex.Errors);
        }
        catch (ForbiddenException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
        finally
        {
            Busy = false;
        }
    }
}
