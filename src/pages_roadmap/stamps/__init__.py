"""stamps"""
