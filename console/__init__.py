"""The supervisors' and managers' console (Streamlit): it talks to the API over HTTP only."""
