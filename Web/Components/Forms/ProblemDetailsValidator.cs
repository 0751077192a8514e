using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace EventDriven.Web.Components.Forms;

/// <summary>
/// Puts a service's validation problem details onto the form's fields: an error named <c>amount</c> or
/// <c>address.city</c> shows next to the model's <c>Amount</c> or <c>City</c>. Errors that name no field of the
/// model are returned, for the form to show as a sentence; <c>toAccountId</c> may also name a field <c>ToAccount</c>. A field's errors go when the person edits it.
/// </summary>
public sealed class ProblemDetailsValidator : ComponentBase, IDisposable
{
    private ValidationMessageStore? _messages;
    private EditContext? _editContext;

    [CascadingParameter]
    private EditContext? CurrentEditContext { get; set; }

    protected override void OnInitialized()
    {
        _editContext = CurrentEditContext ?? throw new InvalidOperationException($"{nameof(ProblemDetailsValidator)} belongs inside an EditForm.");
        _messages = new ValidationMessageStore(_editContext);
        _editContext.OnValidationRequested += ClearAll;
        _editContext.OnFieldChanged += ClearField;
    }

    /// <returns>The messages that name no field of the model.</returns>
    public IReadOnlyList<string> Show(IReadOnlyDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var unplaced = new List<string>();
        _messages!.Clear();
        foreach (var (key, messages) in errors)
        {
            var name = key[(key.LastIndexOf('.') + 1)..];
            var properties = _editContext!.Model.GetType().GetProperties();
            // "toAccountId" names the account the person picked, which a form may hold whole (ToAccount).
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                           ?? properties.FirstOrDefault(p => name.EndsWith("Id", StringComparison.OrdinalIgnoreCase)
                                                             && string.Equals(p.Name, name[..^2], StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                unplaced.AddRange(messages);
            }
            else
            {
                _messages.Add(new FieldIdentifier(_editContext.Model, property.Name), messages);
            }
        }

        _editContext!.NotifyValidationStateChanged();
        return unplaced;
    }

    private void ClearAll(object? sender, ValidationRequestedEventArgs e) => _messages!.Clear();

    private void ClearField(object? sender, FieldChangedEventArgs e)
    {
        _messages!.Clear(e.FieldIdentifier);
        _editContext!.NotifyValidationStateChanged();
    }

    public void Dispose()
    {
        if (_editContext is not null)
        {
            _editContext.OnValidationRequested -= ClearAll;
            _editContext.OnFieldChanged -= ClearField;
        }
    }
}
