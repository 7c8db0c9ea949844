"""mermaid"""
