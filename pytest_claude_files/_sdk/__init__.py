"""Every fact about the anthropic SDK generations and their HTTP libraries (httpx, httpx2)."""
