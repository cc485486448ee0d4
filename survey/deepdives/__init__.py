"""Deep-dive interviews: qualitative interviews recorded, coded by theme and asset, and retrieved.

Who may do what (a decision, also in the README): admins, researchers and peer researchers record
and edit deep dives (peers for their own communities only, like responses); researchers and
admins keep the codebook of themes, code excerpts and retrieve them across interviews; peers
see their own communities' deep dives and their codes, read-only.

Consent decides where words go: an excerpt is quoted (asset profiles, the profile pack, workshop
cards, the report) only if its participant agreed to quotation; the excerpts download for
qualitative tools carries the text only of deep dives whose participant agreed to sharing.
"""
