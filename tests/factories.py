"""factory_boy factories for the records; personas are built from these in conftest."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from cases.models import Case, Patch, PatchCover, Property, Stage, Tenancy, Tenant, Tenure
from core.models import Role, User
from payments.models import Account, AccountKind


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=Role(extracted).value))


class PatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Patch {o.code}")
    officer = factory.SubFactory(UserFactory, role=Role.OFFICER)


class PropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Property

    reference = factory.Sequence(lambda n: f"PR{n:06d}")
    address_line_1 = factory.Sequence(lambda n: f"{n + 1} Acorn Close")
    town = "Eastbrook"
    postcode = "EB1 2AB"
    patch = factory.SubFactory(PatchFactory)


class TenancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenancy

    reference = factory.Sequence(lambda n: f"TY{n:06d}")
    property = factory.SubFactory(PropertyFactory)
    tenure = Tenure.SECURE
    rent_period = "weekly"
    period_start_weekday = 0
    start_date = date(2020, 4, 6)


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    tenancy = factory.SubFactory(TenancyFactory)
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    is_lead = True


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"CS{n:06d}")
    tenancy = factory.SubFactory(TenancyFactory)
    patch = factory.LazyAttribute(lambda o: o.tenancy.property.patch)
    stage = Stage.NONE
    opened_on = date(2020, 4, 6)


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    reference = factory.Sequence(lambda n: f"{n + 1:08d}")
    case = factory.SubFactory(CaseFactory)
    tenancy = factory.LazyAttribute(lambda o: o.case.tenancy)
    kind = AccountKind.RENT
    rent_lawfully_due = True
    opened_on = date(2020, 4, 6)
    weekly_charge = Decimal("100.00")


class PatchCoverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatchCover

    patch = factory.SubFactory(PatchFactory)
    officer = factory.SubFactory(UserFactory, role=Role.OFFICER)
    starts_on = date(2026, 11, 1)
