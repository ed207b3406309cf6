"""The resident's procedure: from a signed-in resident to their certificates (issue 4).

Pure domain: which formats a use needs, issuing them from the register, and what is recorded
about it. The pages and the storage are edges.
"""
