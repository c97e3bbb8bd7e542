"""Service desk requests (客服台): complaints, repair requests and suggestions."""
