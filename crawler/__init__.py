"""crawler: Scrapy spiders, article extraction and the article store."""
