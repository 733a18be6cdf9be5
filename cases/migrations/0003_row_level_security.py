from django.db import migrations

from firms.rls import EnableFirmRLS


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]

    operations = [EnableFirmRLS("cases_case"), EnableFirmRLS("cases_caseteammember")]
