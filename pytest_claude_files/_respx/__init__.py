"""respx integration: the httpx2 mocker and the router of the Files routes."""
