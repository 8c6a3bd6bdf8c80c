"""Mining GitHub for code that loads Hub models (scripts/mine_github.py).

    client.py   a small REST client: token from GITHUB_TOKEN, primary and secondary rate limits
    mine.py     code search per reuse signature -> fetch each file -> scan it -> repository facts,
                written as a raw snapshot that resumes after an interruption without duplicates
"""
