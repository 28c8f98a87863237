from django.core.management.base import BaseCommand, CommandError

from core.money import format_money
from payments.selectors import ledger_reconciliation

SHOWN = 200


class Command(BaseCommand):
    help = (
        "Prove that every account's running balance equals the sum of its ledger; "
        "list any that do not and exit with status 1."
    )

    def handle(self, *args, **options) -> None:
        found = ledger_reconciliation(shown=SHOWN)
        if not found.out_of_balance:
            self.stdout.write(
                self.style.SUCCESS(
                    f"All {found.accounts:,} account balances equal their ledgers "
                    f"({found.lines:,} lines)."
                )
            )
            return
        for reference, balance, total in found.shown:
            self.stdout.write(
                f"{reference}: balance {format_money(balance)} but ledger "
                f"totals {format_money(total)} "
                f"(difference {format_money(balance - total)})"
            )
        raise CommandError(
            f"{found.out_of_balance:,} of {found.accounts:,} accounts do not match their ledger"
            + (f" (first {SHOWN} shown)" if found.out_of_balance > SHOWN else "")
        )
