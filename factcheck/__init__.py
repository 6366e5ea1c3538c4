"""factcheck: check the figures and citations of health writing against PubMed.

The flow of `factcheck verify` (`factcheck.run.verify` holds it, the CLI only prints and exits):

1. load claims: `claims` (the YAML file, with positions), `numbers` (figures and rates read from
   a quote), `article` (the article the quotes come from), `accept` and `config`;
2. resolve sources: `pubmed` (the only package that does network I/O);
3. run checks: `checks` (pure functions over the claim and the paper found);
4. render the report: `report` (terminal, markdown, JSON, GitHub, SARIF), written by `cli`.

The data passed between them is in `models`; `errors` holds the exceptions raised when a
run cannot do its job (findings are data, not exceptions).
"""

__version__ = "0.1.0"
