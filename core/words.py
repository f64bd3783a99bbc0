"""Words that differ per country: an organisation in the Netherlands gets Dutch terms, one in
Belgium Belgian terms, in all three languages.

Each term has one entry per country, a `pgettext` with the country code as context ("BE",
"NL"), so a translator sees which country a phrase is for and translates it to that country's
term: a Belgian household is "client of the OCMW" (French: "du CPAS") and has "the social
tariff"; a Dutch one is a client of "de gemeente" (its social services or debt help,
"schuldhulp") and receives the "energietoeslag"; the Belgian payment reference is the
"gestructureerde mededeling", the Dutch one the "betalingskenmerk". The English source text
of the Belgian entries is the one these pages used before (the payment reference, which was
"payment reference" everywhere, is now Belgium's "structured communication").

Whose country: on a page, the acting organisation's (`{% word "key" %}`, from
`core.templatetags.words`); on a letter or a contract, the organisation that issues it, and
for a payment reference the programme's lead organisation, whose country decides the
reference's format (`{% word "payment_reference" country=... %}`). A country without its own
entry (none today) gets the Belgian words.
"""

from django.utils.translation import gettext, pgettext

BE = "BE"
NL = "NL"
DEFAULT = BE


def pgettext_lazy(context: str, message: str) -> tuple[str, str]:
    """Marks a term for `make translations` (makemessages extracts calls of this name, with
    the context); word() translates it when it is shown."""
    return context, message


WORDS: dict[str, dict[str, tuple[str, str]]] = {
    # Eligibility facts of a household: labels on the household page and in the export.
    "social_tariff": {
        BE: pgettext_lazy("BE", "Social energy tariff"),
        NL: pgettext_lazy("NL", "Energy allowance"),
    },
    "welfare_client": {
        BE: pgettext_lazy("BE", "Client of the welfare office"),
        NL: pgettext_lazy("NL", "Client of the municipality's social services"),
    },
    "debt_support": {
        BE: pgettext_lazy("BE", "Budget management or debt settlement"),
        NL: pgettext_lazy("NL", "Debt help or statutory debt rescheduling"),
    },
    # The same as form fields (lower case, as the model's field names).
    "social_tariff_field": {
        BE: pgettext_lazy("BE", "entitled to the social energy tariff"),
        NL: pgettext_lazy("NL", "receives the municipality's energy allowance"),
    },
    "welfare_client_field": {
        BE: pgettext_lazy("BE", "client of the welfare office"),
        NL: pgettext_lazy("NL", "client of the municipality's social services"),
    },
    "debt_support_field": {
        BE: pgettext_lazy("BE", "budget management or debt settlement"),
        NL: pgettext_lazy("NL", "debt help or statutory debt rescheduling"),
    },
    # The choices of debt support ("none" is the same everywhere).
    "debt_support.budget_management": {
        BE: pgettext_lazy("BE", "Budget management"),
        NL: pgettext_lazy("NL", "Budget management by the municipality"),
    },
    "debt_support.debt_settlement": {
        BE: pgettext_lazy("BE", "Collective debt settlement"),
        NL: pgettext_lazy("NL", "Statutory debt rescheduling"),
    },
    # Eligibility rules: what a rule asks, and its result for a household.
    "rule.social_tariff": {
        BE: pgettext_lazy("BE", "The household is entitled to the social energy tariff."),
        NL: pgettext_lazy("NL", "The household receives the municipality's energy allowance."),
    },
    "rule.welfare_client": {
        BE: pgettext_lazy("BE", "The household is a client of the welfare office."),
        NL: pgettext_lazy("NL", "The household is a client of the municipality's social services."),
    },
    "rule.debt_support": {
        BE: pgettext_lazy(
            "BE", "The household has budget management or collective debt settlement."
        ),
        NL: pgettext_lazy("NL", "The household has debt help or statutory debt rescheduling."),
    },
    "result.social_tariff.passed": {
        BE: pgettext_lazy("BE", "The household has the social energy tariff."),
        NL: pgettext_lazy("NL", "The household receives the energy allowance."),
    },
    "result.social_tariff.failed": {
        BE: pgettext_lazy("BE", "The household does not have the social energy tariff."),
        NL: pgettext_lazy("NL", "The household does not receive the energy allowance."),
    },
    "result.welfare_client.failed": {
        BE: pgettext_lazy("BE", "The household is not a client of the welfare office."),
        NL: pgettext_lazy(
            "NL", "The household is not a client of the municipality's social services."
        ),
    },
    "result.debt_support.failed": {
        BE: pgettext_lazy(
            "BE", "The household has no budget management or collective debt settlement."
        ),
        NL: pgettext_lazy("NL", "The household has no debt help or statutory debt rescheduling."),
    },
    "erase.situation": {
        BE: pgettext_lazy(
            "BE",
            "the household size and the answers about the social tariff, the welfare office "
            "and debt support",
        ),
        NL: pgettext_lazy(
            "NL",
            "the household size and the answers about the energy allowance, the "
            "municipality's social services and debt help",
        ),
    },
    # A contract's payment reference: its format follows the lead organisation's country.
    "payment_reference": {
        BE: pgettext_lazy("BE", "Structured communication"),
        NL: pgettext_lazy("NL", "Payment reference"),
    },
}
# A result that passed reads as the rule itself.
WORDS["result.welfare_client.passed"] = WORDS["rule.welfare_client"]
WORDS["result.debt_support.passed"] = WORDS["rule.debt_support"]


def country_of(organisation: object) -> str:
    """The organisation's country when it has its own words, else the default."""
    country = str(getattr(organisation, "country", "") or "")
    return country if country in (BE, NL) else DEFAULT


def word(key: str, country: str | None) -> str:
    """The term `key` for `country` ("BE", "NL"), in the active language.

    While a catalogue has no entry yet for the Belgian context, the same text without context
    is used: the Belgian terms were translated that way before they had contexts."""
    entries = WORDS[key]  # an unknown key is a programming error: KeyError
    context, message = entries.get(country or DEFAULT, entries[DEFAULT])
    translated = pgettext(context, message)
    return gettext(message) if translated == message and context == BE else translated
