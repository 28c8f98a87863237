"""The managers' pages: recent runs, a run's record, the policy, changing it, and its dry
run. Officers cannot see them; only administrators change the policy."""

from datetime import timedelta

import pytest
from django.urls import reverse

from arrears.models import EscalationPolicy, NightlyRun, PolicyPreview
from arrears.services import nightly_run, policy_current
from cases.models import Case, CaseEvent
from tests.arrears.conftest import RUN

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client, team):
    client.force_login(team.maggie)
    return client


@pytest.fixture
def administrator(client, team):
    client.force_login(team.ada)
    return client


@pytest.mark.parametrize(
    "url",
    [
        reverse("arrears:runs"),
        reverse("arrears:policy"),
        reverse("arrears:preview_new"),
        reverse("arrears:policy_change"),
    ],
)
def test_an_officer_cannot_see_the_managers_pages(client, team, url):
    client.force_login(team.alice)

    assert client.get(url).status_code == 403


def test_managers_see_the_recent_runs_at_a_fixed_cost(
    manager, council, django_assert_max_num_queries
):
    for day in range(3):
        nightly_run(run_date=RUN + timedelta(days=day), start_letters=False)

    with django_assert_max_num_queries(8):
        response = manager.get(reverse("arrears:runs"))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="govuk-table__row"') == 4  # the heading and three runs
    assert "Mon 23 Nov 2026" in page
    assert "Completed" in page


def test_a_runs_record_shows_counts_errors_and_its_parts(manager, council):
    nightly_run(run_date=RUN, chunk_size=3, start_letters=False)

    response = manager.get(reverse("arrears:run", kwargs={"run_date": RUN}))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Send the pre-notice warning and visit" in page
    assert "Breathing Space" in page
    assert "Pre-notice warning" in page
    assert page.count('<td class="govuk-table__cell">Done</td>') == 3


def test_a_manager_completes_a_run_that_did_not_finish(manager, council, eager_tasks):
    run = nightly_run(run_date=RUN, start_letters=False)
    run.chunks.update(status="failed", error="OperationalError: server closed the connection")
    Case.objects.update(figures_on=None)
    NightlyRun.objects.filter(pk=run.pk).update(status=NightlyRun.Status.COMPLETED_WITH_ERRORS)

    response = manager.post(reverse("arrears:run_start"), {"run_date": RUN.isoformat()})

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == NightlyRun.Status.COMPLETED
    assert run.attempts == 2
    assert run.trigger == NightlyRun.Trigger.MANAGER
    assert not Case.objects.filter(figures_on__isnull=True).exists()


def test_a_run_cannot_be_started_for_the_future_or_by_an_officer(client, team, council):
    client.force_login(team.alice)
    assert (
        client.post(reverse("arrears:run_start"), {"run_date": RUN.isoformat()}).status_code == 403
    )

    client.force_login(team.maggie)
    tomorrow = (RUN + timedelta(days=3650)).isoformat()
    response = client.post(reverse("arrears:run_start"), {"run_date": tomorrow}, follow=True)
    assert "cannot be started for a date in the future" in response.content.decode()
    assert not NightlyRun.objects.exists()


def test_the_policy_page_shows_every_ladder_with_its_notice_and_who_acts(manager):
    response = manager.get(reverse("arrears:policy"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Notice of Seeking Possession (Housing Act 1985 s83)" in page
    assert "leasehold is never on the possession ladder" in page
    assert "Automatic letter" in page and "Needs approval" in page
    assert "Welwyn Hatfield" in page  # sources are shown
    assert "Change the policy" not in page  # managers read; administrators change


def test_an_administrator_changes_the_policy_through_the_form(administrator, team):
    form = administrator.get(reverse("arrears:policy_change")).context["form"]
    data = {name: value for name, value in _as_post(form).items()}
    data["ladders__secure__notice__weeks"] = "8.0"
    data["note"] = "Notice at eight weeks, as East Devon"

    response = administrator.post(reverse("arrears:policy_change"), data)

    assert response.status_code == 302
    current = policy_current()
    assert current.version == 2
    assert current.document["ladders"]["secure"]["notice"]["weeks"] == "8.0"
    assert current.created_by == team.ada
    page = administrator.get(reverse("arrears:policy")).content.decode()
    assert "What changed from version 1" in page


def test_a_bad_policy_change_shows_the_error_and_writes_nothing(administrator):
    form = administrator.get(reverse("arrears:policy_change")).context["form"]
    data = _as_post(form)
    data["ladders__secure__letter_2__weeks"] = "1.0"
    data["note"] = ""

    response = administrator.post(reverse("arrears:policy_change"), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Say why the policy is changing." in page
    assert EscalationPolicy.objects.count() == 1


def test_a_managers_preview_counts_cases_under_both_policies_and_writes_no_case_data(
    manager, council, django_capture_on_commit_callbacks, eager_tasks
):
    form = manager.get(reverse("arrears:preview_new")).context["form"]
    data = _as_post(form)
    data["ladders__secure__pre_notice__weeks"] = "6.0"
    data["ladders__secure__notice__weeks"] = "6.0"
    data.update(run_date_day=RUN.day, run_date_month=RUN.month, run_date_year=RUN.year)
    events = CaseEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(reverse("arrears:preview_new"), data)

    assert response.status_code == 302
    preview = PolicyPreview.objects.get()
    assert preview.status == PolicyPreview.Status.DONE
    assert preview.results["cases"] == 8
    assert preview.results["current"]["actions"]["pre_notice_warning"] == 1
    assert "pre_notice_warning" not in preview.results["proposed"]["actions"]
    assert preview.results["moves"] == {"pre_notice_warning>monitor": 1}
    assert CaseEvent.objects.count() == events
    assert not Case.objects.filter(figures_on__isnull=False).exists()
    assert not NightlyRun.objects.exists()
    page = manager.get(
        reverse("arrears:preview", kwargs={"preview_id": preview.pk})
    ).content.decode()
    assert "would get a different next action" in page
    assert "Make this the policy" not in page  # a manager previews; an administrator adopts


def test_an_administrator_adopts_a_previewed_policy(administrator, team, council):
    document = policy_current().document
    changed = {**document, "letters": {"repeat_after_days": 60}}
    preview = PolicyPreview.objects.create(
        created_by=team.ada,
        run_date=RUN,
        base_version=1,
        document=changed,
        status="done",
        results={"cases": 8, "changed": 0, "current": {}, "proposed": {}},
    )

    response = administrator.post(
        reverse("arrears:preview", kwargs={"preview_id": preview.pk}), {"note": "Fewer repeats"}
    )

    assert response.status_code == 302
    assert policy_current().version == 2
    assert policy_current().document["letters"]["repeat_after_days"] == 60


def test_a_running_preview_updates_itself_with_htmx_and_without_it(manager, team):
    policy_current()
    preview = PolicyPreview.objects.create(
        created_by=team.maggie, run_date=RUN, base_version=1, document=policy_current().document
    )
    url = reverse("arrears:preview", kwargs={"preview_id": preview.pk})

    full = manager.get(url).content.decode()
    partial = manager.get(url, headers={"HX-Request": "true"}).content.decode()

    assert 'hx-trigger="every 2s"' in full and "refresh it" in full
    assert partial.strip().startswith('<div id="preview-results"')
    assert "<html" not in partial


def _as_post(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if name == "run_date" or value is None:
            continue
        if isinstance(value, list):
            data[name] = value
        elif hasattr(value, "day"):
            data.update(
                {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}
            )
        else:
            data[name] = str(value)
    return data
