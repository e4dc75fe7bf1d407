import factory

from accounts.models import Account, SupportContact, User

PASSWORD = "correct-horse-battery"


class PartnerAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    kind = Account.Kind.PARTNER
    name = factory.Sequence(lambda n: f"Partner {n}")
    country = "CA"
    account_number = factory.Sequence(lambda n: f"{500000000 + n}")


class CustomerAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account
        skip_postgeneration_save = True

    kind = Account.Kind.CUSTOMER
    parent = factory.SubFactory(PartnerAccountFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
    country = "SE"
    city = "Stockholm"
    account_number = factory.Sequence(lambda n: f"{700000000 + n}")
    support_contact = factory.RelatedFactory(
        "tests.accounts.factories.SupportContactFactory", factory_related_name="account"
    )


class SupportContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportContact

    email = factory.Sequence(lambda n: f"support{n}@example.com")


class UserFactory(factory.django.DjangoModelFactory):
    """A registered user who can sign in with ``PASSWORD``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    account = factory.SubFactory(CustomerAccountFactory)
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    role = User.Role.USER
    is_registered = True
    email_verified = True

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        if extracted is False:
            obj.set_unusable_password()
        else:
            obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])
