"""Statistical disclosure control for everything tillit publishes: minimum cell size k (primary
suppression), secondary (complementary) suppression so hidden cells cannot be recovered from
margins by differencing, and checks that no published table identifies a respondent.

Issue "observatory". Pure library: never Django.
"""
