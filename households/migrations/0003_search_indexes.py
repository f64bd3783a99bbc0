from django.db import migrations

# Indexes for households.selectors.household_search on PostgreSQL (SQLite needs none at its
# scale). A house number is compared as UPPER(house_number) = UPPER(word), and a phone number
# on its digits: PHONE_DIGITS must stay the expression that selectors.phone_digits() builds,
# or PostgreSQL no longer uses the index. Expression indexes, not stored columns: the model
# is unchanged. pg_trgm comes from 0002.
PHONE_SEPARATORS = (" ", "+", "/", ".", "-", "(", ")")
PHONE_DIGITS = "phone"
for separator in PHONE_SEPARATORS:
    PHONE_DIGITS = f"REPLACE({PHONE_DIGITS}, '{separator}', '')"

CREATE = [
    "CREATE INDEX IF NOT EXISTS household_house_number_upper ON households_household "
    "(UPPER(house_number::text))",
    "CREATE INDEX IF NOT EXISTS household_phone_digits_trgm ON households_household "
    f"USING gin (({PHONE_DIGITS}) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS household_house_number_upper",
    "DROP INDEX IF EXISTS household_phone_digits_trgm",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("households", "0002_search_trigram_index")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
