"""Forms for a telephone payment and for arrangements; the services decide what is allowed."""

from django import forms

from cases.forms import TenantChoiceField, date_field, money_field, radios, text_area
from cases.models import Case, Tenant
from payments.models import Account, ArrangementFrequency


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Account) -> str:
        from core.money import format_money

        return f"{obj.reference}: {obj.get_kind_display()} (owes {format_money(obj.balance)})"


def account_field(case: Case) -> AccountChoiceField:
    accounts = Account.objects.filter(case=case, status=Account.Status.OPEN).order_by(
        "-rent_lawfully_due", "reference"
    )
    return AccountChoiceField(
        label="Account",
        queryset=accounts,
        empty_label=None,
        error_messages={"required": "Choose the account", "invalid_choice": "Choose the account"},
    )


class TelephonePaymentForm(forms.Form):
    amount = money_field("Amount", required=True)
    card_reference = forms.CharField(
        label="Card payment reference",
        max_length=40,
        help_text="The reference the card payment screen gives once the payment is authorised",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off"}),
        error_messages={"required": "Enter the card payment reference"},
    )
    confirm_second_payment = forms.BooleanField(
        label="This is a second payment of the same amount today, not the same payment again",
        required=False,
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"account": account_field(case), **self.fields}

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError("The amount must be more than £0")
        return amount


class ArrangementForm(forms.Form):
    frequency = radios(
        ArrangementFrequency.choices,
        "How often",
        required_message="Choose how often the tenant will pay",
    )
    instalment = money_field(
        "Instalment towards the arrears",
        required=True,
        help_text="On top of the current rent, each time",
    )
    starts_on = date_field("Date of the first instalment")
    lump_sum = money_field("Lump sum", help_text="Optional: a one-off payment as well")
    lump_sum_due_on = date_field("Date the lump sum is due", required=False)
    notes = text_area("Notes", required=False, rows=3)
    accept_unaffordable = forms.BooleanField(
        label="The tenant wants these terms although the statement says they cannot afford "
        "them, and I have explained the risk",
        required=False,
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"account": account_field(case), **self.fields}


class ReplaceArrangementForm(ArrangementForm):
    reason = text_area("Why the terms are changing", message="Enter why the terms are changing")

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, case=case, **kwargs)
        del self.fields["account"]


class CancelArrangementForm(forms.Form):
    reason = text_area("Why it is being cancelled", message="Enter why the arrangement is ending")


class DirectDebitForm(forms.Form):
    """A payer's Direct Debit Instruction; payments.direct_debits checks the details."""

    payer_name = forms.CharField(
        label="Name on the bank account",
        max_length=40,
        help_text="As the bank shows it, 18 characters at most",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off"}),
        error_messages={"required": "Enter the name on the bank account"},
    )
    sort_code = forms.CharField(
        label="Sort code",
        max_length=8,
        help_text="6 digits, like 309430",
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input--width-5",
                "inputmode": "numeric",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Enter the sort code"},
    )
    account_number = forms.CharField(
        label="Account number",
        max_length=8,
        help_text="8 digits, like 00733445",
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input--width-10",
                "inputmode": "numeric",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Enter the account number"},
    )
    amount = money_field("Amount each time", required=True)
    frequency = radios(
        ArrangementFrequency.choices,
        "How often",
        required_message="Choose how often the direct debit is collected",
    )
    first_collection_on = date_field(
        "Date of the first collection",
        help_text="At least 10 working days away, so the tenant has notice. Monthly: the 1st "
        "to the 28th",
    )
    ends_on = date_field("Date of the last collection", required=False, help_text="Optional")

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"account": account_field(case), **self.fields}


class CancelDirectDebitForm(forms.Form):
    reason = text_area(
        "Why it is being cancelled", message="Enter why the direct debit is being cancelled"
    )


class TenantReferenceForm(forms.Form):
    """A reference another system knows a tenant by, so its payment lines find them."""

    reference = forms.CharField(
        label="Reference",
        max_length=40,
        help_text="As the other system writes it on its files, for example a DWP claimant "
        "reference or the housing system's person reference",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off"}),
        error_messages={"required": "Enter the reference"},
    )
    issued_by = forms.CharField(
        label="Which system gave it",
        max_length=60,
        required=False,
        help_text="For example DWP, Housing Benefit or the housing system",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        tenant = TenantChoiceField(
            label="Whose reference",
            queryset=Tenant.objects.filter(tenancy_id=case.tenancy_id, moved_out_on__isnull=True),
            empty_label=None,
        )
        self.fields = {"tenant": tenant, **self.fields}


class TenantReferenceRemoveForm(forms.Form):
    reason = forms.CharField(
        label="Why is it being taken off?",
        max_length=200,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-30"}),
        error_messages={"required": "Say why the reference is being taken off"},
    )
