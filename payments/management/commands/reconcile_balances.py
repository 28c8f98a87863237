from django.core.management.base import BaseCommand, CommandError

from core.money import format_money
from payments.models import Account, Transaction
from payments.selectors import accounts_out_of_balance

SHOWN = 200


class Command(BaseCommand):
    help = (
        "Prove that every account's running balance equals the sum of its ledger; "
        "list any that do not and exit with status 1."
    )

    def handle(self, *args, **options) -> None:
        broken = list(accounts_out_of_balance()[:SHOWN])
        accounts = Account.objects.count()
        lines = Transaction.objects.count()
        if not broken:
            self.stdout.write(
                self.style.SUCCESS(
                    f"All {accounts:,} account balances equal their ledgers ({lines:,} lines)."
                )
            )
            return
        for account in broken:
            self.stdout.write(
                f"{account.reference}: balance {format_money(account.balance)} but ledger "
                f"totals {format_money(account.ledger_total)} "
                f"(difference {format_money(account.balance - account.ledger_total)})"
            )
        raise CommandError(
            f"{len(broken)} of {accounts:,} accounts do not match their ledger"
            + (f" (first {SHOWN} shown)" if len(broken) == SHOWN else "")
        )
