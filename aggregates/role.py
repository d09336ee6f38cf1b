"""What an employee may do. Apart from the employee aggregate so that the command line can
offer the roles without loading the event-sourcing library."""

from enum import StrEnum


class Role(StrEnum):
    MANAGER = "manager"
    HEAD_OF_SALES = "head_of_sales"
    AUDITOR = "auditor"
    ANALYST = "analyst"
    ADMIN = "admin"
