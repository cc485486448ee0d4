"""Campaigns and communities: setting up a survey campaign, its quotas, its dashboard and public link."""
