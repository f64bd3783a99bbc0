from django.db import migrations

# On PostgreSQL, household search (search_text LIKE '%word%') uses a trigram index. Creating
# the pg_trgm extension needs a role that may; otherwise create it once as the database owner:
# CREATE EXTENSION pg_trgm;  SQLite has no such index and needs none at its scale.
CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS household_search_trgm ON households_household "
    "USING gin (search_text gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS household_search_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
