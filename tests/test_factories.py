"""Every concrete model of the project has a factory in ``tests/<app>/factories.py`` that saves a
valid row: ``full_clean()`` passes (choices, validators, unique constraints) and the row reads back.

A new model without a factory fails here; so does a factory that no longer builds a valid row
after a model changed (a new required field, a new constraint)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import factory
import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# Models with no factory, and why.
WITHOUT_FACTORY: dict[str, str] = {}


def is_project_path(path: Path) -> bool:
    """In the checkout and not an installed package (the virtualenv may live inside it)."""
    return path.is_relative_to(ROOT) and "site-packages" not in path.parts


def project_models() -> list[type]:
    return sorted(
        (
            model
            for model in apps.get_models()
            if is_project_path(Path(model._meta.app_config.path)) and not model._meta.proxy
        ),
        key=lambda model: model._meta.label,
    )


def factories() -> dict[str, list[type[factory.django.DjangoModelFactory]]]:
    """``{model label: [its factories]}`` from every ``tests/<app>/factories.py``."""
    found: dict[str, list] = {}
    for path in sorted((ROOT / "tests").glob("*/factories.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.factories")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, factory.django.DjangoModelFactory)
                and cls.__module__ == module.__name__
                and not cls._meta.abstract
            ):
                found.setdefault(cls._meta.model._meta.label, []).append(cls)
    return found


FACTORIES = factories()


def test_every_model_has_a_factory():
    labels = {model._meta.label for model in project_models()}
    missing = sorted(labels - set(FACTORIES) - set(WITHOUT_FACTORY))
    assert missing == [], "add a factory in tests/<app>/factories.py"
    assert sorted(set(WITHOUT_FACTORY) & set(FACTORIES)) == [], "it has a factory now: strike it off"


def test_each_factory_lives_with_its_app():
    misplaced = {
        cls.__module__: label
        for label, classes in FACTORIES.items()
        for cls in classes
        if cls.__module__ != f"tests.{label.split('.')[0]}.factories"
    }
    assert misplaced == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory_class",
    [cls for label in sorted(FACTORIES) for cls in FACTORIES[label]],
    ids=lambda cls: cls.__name__,
)
def test_the_factory_saves_a_valid_row(factory_class):
    first = factory_class()
    second = factory_class()  # sequences keep two rows apart (unique fields, one-per-account rules)

    model = factory_class._meta.model
    for row in (first, second):
        row.full_clean()
        assert model.objects.filter(pk=row.pk).exists()
    assert first.pk != second.pk
