"""Saved case-comparison set-ups: case matrices (which rows, which columns) and QCA models
(outcome, conditions, calibration, cuts) built on them.

Only the configuration is stored; the matrix is rebuilt from the project's data each time it is
shown, so it always reflects the current register, corpus, codings and survey answers.
Writes go through :mod:`tillit.apps.cases.services` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.apps.core.models import Project


class CaseMatrix(models.Model):
    """A named case matrix: the row set and the columns (column ids of
    :mod:`tillit.apps.cases.matrix`)."""

    class Unit(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        QDA_CASE = "qda_case", _("Case of the qualitative project")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="case_matrices")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(
        _("rows"), max_length=20, choices=Unit.choices, default=Unit.MUNICIPALITY
    )
    #: Row filter: {"countries": ["NO"], "codes": ["NO:0301", ...], "sources": ["register", ...]}
    rows = models.JSONField(default=dict, blank=True)
    #: Column ids in display order.
    columns = models.JSONField(default=list)
    is_synthetic = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="cases_matrix_name"),
        ]

    def __str__(self) -> str:
        return self.name


class QcaModel(models.Model):
    """A QCA set-up on a case matrix: outcome and conditions (matrix columns with a set name and
    a calibration), truth-table cuts and directional expectations."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="qca_models")
    matrix = models.ForeignKey(CaseMatrix, on_delete=models.CASCADE, related_name="qca_models")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    #: {"column", "name", "type": "crisp"|"fuzzy"|"asis", "thresholds": "..."}
    outcome = models.JSONField(default=dict)
    #: [{"column", "name", "type", "thresholds", "direction": "1"|"0"|"-"}, ...]
    conditions = models.JSONField(default=list)
    incl_cut = models.FloatField(default=0.8)
    n_cut = models.PositiveIntegerField(default=1)
    pri_cut = models.FloatField(default=0.0)
    is_synthetic = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="cases_qca_name"),
        ]

    def __str__(self) -> str:
        return self.name
